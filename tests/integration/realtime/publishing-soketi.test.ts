import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { RealtimePublishError } from "@/lib/realtime/server";
import { runAction } from "@/backend/action-result";
import { createMyComment } from "@/backend/services/comment.action";
import { resourceChannel, userChannel } from "@/backend/realtime/channels";
import { publishInvalidate, realtime } from "@/backend/realtime/server";
import { bookmarkSignal, commentThreadSignal, notificationsSignal } from "@/backend/realtime/signals";
import { createSession } from "@/backend/session-store";
import { signInAs } from "../../helpers/db";
import { flushAfter, request, resetRequest } from "../../helpers/next-request";
import { startSoketi, type SoketiHandle } from "../../helpers/soketi";
import { ok, type Seeded } from "../../db/fixtures";
import { drainAll, tab, type Listener, type Seen } from "./listeners";
import { pointAppAt, publishCounters, startRealtimeEnv, stopRealtimeEnv } from "./realtime-env";

/**
 * publishInvalidate on a real Soketi, heard by two real pusher-js tabs of alice (two sessions, as two devices would
 * have; one session in two tabs behaves the same at the broker), both on her user channel and on an article page:
 * the receipt ignored in an action (at commit, batched, without the tab that made the change), awaited (at
 * once, settled by the broker's answer, Soketi's refusals included), and the tab exclusion end to end.
 */
const TIMEOUT_MS = 2000;
let soketi: SoketiHandle;
let s: Seeded;
let origin: Listener;
let other: Listener;

beforeAll(async () => {
  ({ soketi, s } = await startRealtimeEnv(TIMEOUT_MS));
  const channels = [userChannel(s.alice), resourceChannel("ARTICLE", s.hello)];
  origin = await tab(soketi, (await createSession(s.alice, "tab-1", "127.0.0.1")).token, channels);
  other = await tab(soketi, (await createSession(s.alice, "tab-2", "127.0.0.1")).token, channels);
});
afterAll(async () => {
  origin?.disconnect();
  other?.disconnect();
  await stopRealtimeEnv(soketi);
});
beforeEach(async () => {
  await drainAll([origin, other]);
  resetRequest();
});
afterEach(() => vi.restoreAllMocks());

/** What each tab got besides markers: { origin, other }. */
async function heard(options?: { afterResponse?: boolean }): Promise<{ origin: unknown[]; other: unknown[] }> {
  const [a, b] = await drainAll([origin, other], options);
  const data = (seen: Seen[]) => seen.map((r) => r.data);
  return { origin: data(a), other: data(b) };
}
const action = <T>(body: () => T | Promise<T>) => runAction(z.object({}), {}, async () => body());
describe("delivery on a real broker", () => {
  it("awaited: delivered at once, exactly the published signal", async () => {
    await publishInvalidate(notificationsSignal(s.alice)).delivered();
    expect(await heard({ afterResponse: false })).toEqual({ origin: [{ scope: "notifications" }], other: [{ scope: "notifications" }] });
  });

  it("ignored in an action: sent at commit, so it reaches the tabs without waiting for the response's after() work", async () => {
    const signal = bookmarkSignal(s.alice, s.hello);
    expect(await action(() => void publishInvalidate(signal))).toEqual({ ok: true, data: undefined, signals: [signal.signal] });
    // The after() work (which only holds the send alive) has not run: the signal went out during the action.
    expect(await heard({ afterResponse: false })).toEqual({ origin: [signal.signal], other: [signal.signal] });
    await flushAfter();
    expect(await heard()).toEqual({ origin: [], other: [] });
  });

  it("a request's publications go out batched, and the originating tab is skipped in batch events too", async () => {
    const delta = await publishCounters();
    request.headers = new Headers({ "x-socket-id": origin.pusher.connection.socket_id });
    await action(() => {
      for (let i = 1; i <= 25; i++) publishInvalidate(bookmarkSignal(s.alice, `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`));
      publishInvalidate(notificationsSignal(s.alice));
      publishInvalidate(notificationsSignal(s.alice));
    });
    await flushAfter();
    // 26 distinct signals in 3 batch calls.
    expect(await delta()).toMatchObject({ publishes: { requested: 27, duplicates_dropped: 1, sent: 26, failed: 0 }, calls: { total: 3, failed: 0 } });
    const got = await heard();
    expect(got.origin).toEqual([]);
    expect(got.other).toHaveLength(26);
    expect(new Set(got.other.map((d) => JSON.stringify(d))).size).toBe(26);
    expect(got.other).toContainEqual({ scope: "notifications" });
  });

  it("a request without x-socket-id reaches every tab", async () => {
    await action(() => void publishInvalidate({ channels: [userChannel(s.alice)], signal: { scope: "dashboard-articles" } }));
    expect(await heard()).toEqual({ origin: [{ scope: "dashboard-articles" }], other: [{ scope: "dashboard-articles" }] });
  });
});

describe("no self-echo: the originating connection is skipped, the user's other tabs are not", () => {
  it("at the broker: a publish naming a socket id reaches every connection but that one", async () => {
    await publishInvalidate({ channels: [userChannel(s.alice)], signal: { scope: "gists" } }, { socketId: origin.pusher.connection.socket_id }).delivered();
    expect(await heard()).toEqual({ origin: [], other: [{ scope: "gists" }] });
  });

  it("end to end: a server action called with the tab's X-Socket-Id leaves that tab out, and hands it the signal instead", async () => {
    await signInAs("alice");
    // What the provider's fetch wrapper adds to every server action request of the tab.
    request.headers.set("x-socket-id", origin.pusher.connection.socket_id);
    const comments = commentThreadSignal({ resource_type: "ARTICLE", resource_id: s.hello }).signal;
    const res = await createMyComment({ resource_id: s.hello, resource_type: "ARTICLE", body: "From the first tab" });
    expect(res).toMatchObject({ ok: true, signals: [comments] });
    expect(await heard()).toEqual({ origin: [], other: [comments] });
  });

  it("without the header (a script, another device's request) every connection gets the signal", async () => {
    await signInAs("alice");
    ok(await createMyComment({ resource_id: s.hello, resource_type: "ARTICLE", body: "No header" }));
    const comments = commentThreadSignal({ resource_type: "ARTICLE", resource_id: s.hello }).signal;
    expect(await heard()).toEqual({ origin: [comments], other: [comments] });
  });
});

describe("a broker that refuses (Soketi's HTTP 200 with an error body)", () => {
  // Soketi refusing any trigger to more than 2 channels; its answer to one is HTTP 200 with {"error": ...}.
  let strict: SoketiHandle;
  beforeAll(async () => {
    strict = await startSoketi({ "appManager.array.apps": [{ ...soketi.app, enabled: true, maxConnections: -1, maxEventChannelsAtOnce: 2 }] });
  });
  afterAll(() => strict?.stop());
  beforeEach(() => pointAppAt(strict, TIMEOUT_MS));
  afterEach(() => pointAppAt(soketi, TIMEOUT_MS));

  const three = () => ({ channels: [userChannel(s.alice), userChannel(s.bob), userChannel(s.carol)], signal: { scope: "notifications" as const } });

  it("awaited: rejects with RealtimePublishError naming the channels and Soketi's reason; what it accepts resolves", async () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    const err = await publishInvalidate(three()).delivered().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RealtimePublishError);
    expect((err as RealtimePublishError).channels).toEqual(three().channels);
    expect((err as Error).message).toMatch(/HTTP 200 .*Cannot broadcast to more than 2 channels at once/);
    expect(error).toHaveBeenCalledTimes(1);
    // The same broker accepts two channels.
    await expect(publishInvalidate({ ...three(), channels: three().channels.slice(0, 2) }).delivered()).resolves.toBeUndefined();
  });

  it("ignored in an action: the action succeeds without waiting for the refusal, which is logged once, never thrown", async () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    expect(await action(() => void publishInvalidate(three()))).toMatchObject({ ok: true, signals: [{ scope: "notifications" }] });
    expect(error).not.toHaveBeenCalled();
    await expect(flushAfter()).resolves.toBeUndefined();
    expect(error).toHaveBeenCalledTimes(1);
    expect(String(error.mock.calls[0][0])).toMatch(/Cannot broadcast to more than 2 channels/);
    const { publishes } = await realtime.health();
    expect(publishes.failed).toBeGreaterThanOrEqual(3);
  });
});
