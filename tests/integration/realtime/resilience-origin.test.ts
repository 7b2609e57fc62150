import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type Pusher from "pusher-js";
import { createSession } from "@/backend/session-store";
import { createMyComment } from "@/backend/services/comment.action";
import { resourceChannel, userChannel } from "@/lib/realtime/channels";
import { publishInvalidateNow } from "@/lib/realtime/publish.server";
import { INVALIDATE_EVENT } from "@/lib/realtime/signal";
import { signInAs } from "../../helpers/db";
import { flushAfter, request, resetRequest } from "../../helpers/next-request";
import type { SoketiHandle } from "../../helpers/soketi";
import type { Seeded } from "../../db/fixtures";
import { startRealtimeEnv, stopRealtimeEnv } from "./realtime-env";
import { clientOptions, connectedClient, subscribed } from "./pusher-clients";

let soketi: SoketiHandle;
let s: Seeded;
/** Two tabs of alice: the one that makes the change, and another one. */
type Tab = { pusher: Pusher; received: Array<{ channel: string; data: unknown }> };
let origin: Tab;
let other: Tab;

async function tab(token: string, channels: string[]): Promise<Tab> {
  const pusher = await connectedClient(soketi.app.key, clientOptions(soketi.port, () => token));
  const received: Tab["received"] = [];
  for (const channel of channels) {
    await subscribed(pusher, channel);
    pusher.channel(channel).bind(INVALIDATE_EVENT, (data: unknown) => received.push({ channel, data }));
  }
  return { pusher, received };
}

beforeAll(async () => {
  ({ soketi, s } = await startRealtimeEnv(2000));
  const channels = [userChannel(s.alice), resourceChannel("ARTICLE", s.hello)];
  // Two sessions, as two devices would have; one session in two tabs behaves the same at the broker.
  origin = await tab((await createSession(s.alice, "tab-1", "127.0.0.1")).token, channels);
  other = await tab((await createSession(s.alice, "tab-2", "127.0.0.1")).token, channels);
});
afterAll(async () => {
  origin?.pusher.disconnect();
  other?.pusher.disconnect();
  await stopRealtimeEnv(soketi);
});
beforeEach(() => {
  resetRequest();
  origin.received.length = 0;
  other.received.length = 0;
});

const isMarker = (data: unknown, marker: number) => JSON.stringify(data).includes(String(marker));

/**
 * Channels are FIFO: once a marker published (to everyone) after the code under test reached a tab, everything
 * that code published for that tab has reached it too. Returns what each tab got besides the markers.
 */
async function drain(): Promise<{ origin: unknown[]; other: unknown[] }> {
  const marker = Date.now();
  await publishInvalidateNow([
    { channels: userChannel(s.alice), signal: { scope: "notifications", ids: { marker } } as never },
    {
      channels: resourceChannel("ARTICLE", s.hello),
      signal: { scope: "reactions", ids: { resource_id: s.hello, resource_type: "ARTICLE", marker } } as never,
    },
  ]);
  for (const t of [origin, other]) {
    await expect.poll(() => t.received.filter((r) => isMarker(r.data, marker)).length, { timeout: 5_000 }).toBe(2);
  }
  const rest = (t: Tab) => t.received.filter((r) => !isMarker(r.data, marker)).map((r) => r.data);
  return { origin: rest(origin), other: rest(other) };
}

describe("no self-echo: the originating connection is skipped, the user's other tabs are not", () => {
  it("at the broker: a publish naming a socket id reaches every connection but that one", async () => {
    await publishInvalidateNow(userChannel(s.alice), { scope: "gists" }, { socketId: origin.pusher.connection.socket_id });
    const got = await drain();
    expect(got.origin).toEqual([]);
    expect(got.other).toEqual([{ scope: "gists" }]);
  });

  it("end to end: a server action called with the tab's X-Socket-Id header leaves that tab out of its signal", async () => {
    await signInAs("alice");
    // What the provider's fetch wrapper adds to every server action request of the tab.
    request.headers.set("x-socket-id", origin.pusher.connection.socket_id);
    const res = await createMyComment({ resource_id: s.hello, resource_type: "ARTICLE", body: "From the first tab" });
    expect(res.ok).toBe(true);
    await flushAfter();
    const got = await drain();
    expect(got.origin).toEqual([]);
    expect(got.other).toContainEqual({ scope: "comments", ids: { resource_id: s.hello, resource_type: "ARTICLE" } });
  });

  it("without the header (a script, another device's request) every connection gets the signal", async () => {
    await signInAs("alice");
    const res = await createMyComment({ resource_id: s.hello, resource_type: "ARTICLE", body: "No header" });
    expect(res.ok).toBe(true);
    await flushAfter();
    const got = await drain();
    const comments = { scope: "comments", ids: { resource_id: s.hello, resource_type: "ARTICLE" } };
    expect(got.origin).toContainEqual(comments);
    expect(got.other).toContainEqual(comments);
  });
});
