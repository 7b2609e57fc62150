import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type Pusher from "pusher-js";
import { resetEnvCache } from "@/env";
import { createSession } from "@/backend/session-store";
import { userChannel } from "@/lib/realtime/channels";
import { INVALIDATE_EVENT } from "@/lib/realtime/signal";
import { publishInvalidate, publishInvalidateNow } from "@/lib/realtime/publish.server";
import { publishMetricsSnapshot, resetPublishMetrics } from "@/lib/realtime/publish-metrics.server";
import { freshDb } from "../../helpers/db";
import { flushAfter, request, resetRequest } from "../../helpers/next-request";
import { startSoketi, type SoketiHandle } from "../../helpers/soketi";
import { seeded, type Seeded } from "../../db/fixtures";
import { APP_ORIGIN } from "./auth-helpers";
import { clientOptions, connectedClient, subscribed } from "./pusher-clients";

let soketi: SoketiHandle;
let s: Seeded;
const saved = { ...process.env };
const tabs: Record<"a" | "b", { pusher: Pusher; received: string[] }> = {} as never;

beforeAll(async () => {
  soketi = await startSoketi();
  Object.assign(process.env, soketi.env, { APP_URL: APP_ORIGIN, REALTIME_PUBLISH_TIMEOUT_MS: "2000" });
  resetEnvCache();
  await freshDb();
  s = await seeded();
  for (const name of ["a", "b"] as const) {
    const token = (await createSession(s.alice, `tab-${name}`, "127.0.0.1")).token;
    const pusher = await connectedClient(soketi.app.key, clientOptions(soketi.port, () => token));
    await subscribed(pusher, userChannel(s.alice));
    const received: string[] = [];
    pusher.channel(userChannel(s.alice)).bind(INVALIDATE_EVENT, (data: unknown) => received.push(JSON.stringify(data)));
    tabs[name] = { pusher, received };
  }
});
afterAll(async () => {
  for (const tab of Object.values(tabs)) tab.pusher.disconnect();
  await soketi?.stop();
  process.env = saved;
  resetEnvCache();
});
beforeEach(() => {
  resetRequest();
  resetPublishMetrics();
  for (const tab of Object.values(tabs)) tab.received.length = 0;
});

/** Channels are FIFO: once a marker sent after the code under test reached both tabs, everything before it did. */
async function drain(): Promise<Record<"a" | "b", string[]>> {
  const marker = Date.now();
  await publishInvalidateNow(userChannel(s.alice), { scope: "sessions", ids: { session_id: marker } });
  const isMarker = (d: string) => d.includes(String(marker));
  await expect.poll(() => tabs.a.received.some(isMarker) && tabs.b.received.some(isMarker), { timeout: 5_000 }).toBe(true);
  return { a: tabs.a.received.filter((d) => !isMarker(d)), b: tabs.b.received.filter((d) => !isMarker(d)) };
}

describe("batched publishing on a real Soketi", () => {
  it("delivers every signal of a request, batched, and skips the originating tab in batch events too", async () => {
    request.headers = new Headers({ "x-socket-id": tabs.a.pusher.connection.socket_id });
    for (let id = 1; id <= 25; id++) publishInvalidate(userChannel(s.alice), { scope: "bookmarks", ids: { resource_id: id } });
    publishInvalidate(userChannel(s.alice), { scope: "notifications" });
    publishInvalidate(userChannel(s.alice), { scope: "notifications" });
    await flushAfter();
    const { a, b } = await drain();
    expect(a).toEqual([]);
    expect(b).toHaveLength(26);
    expect(new Set(b).size).toBe(26);
    expect(b).toContain(JSON.stringify({ scope: "notifications" }));
    // 26 distinct signals in 3 batch calls, plus the marker.
    expect(publishMetricsSnapshot()).toMatchObject({
      publishes: { requested: 28, duplicates_dropped: 1, sent: 27, failed: 0 },
      calls: { total: 4, failed: 0 },
    });
  });

  it("a request without x-socket-id reaches every tab", async () => {
    publishInvalidate(userChannel(s.alice), { scope: "dashboard-articles" });
    await flushAfter();
    const { a, b } = await drain();
    expect(a).toEqual([JSON.stringify({ scope: "dashboard-articles" })]);
    expect(b).toEqual(a);
  });
});
