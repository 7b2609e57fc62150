import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { resetEnvCache } from "@/env";
import { resourceChannel, userChannel } from "@/lib/realtime/channels";
import { RealtimePublishError, publishInvalidate, publishInvalidateNow } from "@/lib/realtime/publish.server";
import { PublishBatch } from "@/lib/realtime/publish-batch.server";
import { publishMetricsSnapshot, resetPublishMetrics } from "@/lib/realtime/publish-metrics.server";
import { MAX_IN_FLIGHT } from "@/lib/realtime/publish-sender.server";
import { flushAfter, request, resetRequest } from "../../helpers/next-request";
import { startFakeBroker } from "./fake-broker";

const PUSHER_VARS = ["PUSHER_APP_ID", "PUSHER_KEY", "PUSHER_SECRET", "PUSHER_HOST", "PUSHER_PORT", "PUSHER_USE_TLS"];
const saved = { ...process.env };

let broker: Awaited<ReturnType<typeof startFakeBroker>>;
beforeAll(async () => {
  broker = await startFakeBroker();
});
afterAll(async () => {
  await broker.close();
  process.env = saved;
  resetEnvCache();
});
beforeEach(() => {
  resetRequest();
  resetPublishMetrics();
  broker.requests.length = 0;
  broker.setMode({ kind: "reply", status: 200, body: '{"ok":true}' });
  for (const k of [...PUSHER_VARS, "REALTIME_PUBLISH_TIMEOUT_MS"]) delete process.env[k];
  Object.assign(process.env, broker.env, { REALTIME_PUBLISH_TIMEOUT_MS: "300" });
  resetEnvCache();
});
afterEach(() => vi.restoreAllMocks());

type Trigger = { name: string; channels: string[]; data: string; socket_id?: string };
type Batch = { batch: Array<{ channel: string; name: string; data: string; socket_id?: string }> };

const triggers = () =>
  broker.requests.filter((r) => r.url.startsWith("/apps/fake-app/events")).map((r) => JSON.parse(r.body) as Trigger);
const batches = () =>
  broker.requests.filter((r) => r.url.startsWith("/apps/fake-app/batch_events")).map((r) => JSON.parse(r.body) as Batch);
const users = (n: number, from = 1) => Array.from({ length: n }, (_, i) => userChannel(from + i));
const bookmark = (id: number) => ({ scope: "bookmarks", ids: { resource_id: id } }) as const;
/** A new simulated request: Next gives each request its own Headers object. */
const nextRequest = (headers: Record<string, string> = {}) => (request.headers = new Headers(headers));

describe("request-scoped batching (server actions)", () => {
  it("sends one signal to 150 channels in 2 HTTP calls, whether given at once or one channel per call", async () => {
    publishInvalidate(users(150), { scope: "notifications" });
    await flushAfter();
    // The two calls go out concurrently, so they may arrive in either order.
    expect(triggers().map((t) => t.channels.length).sort((a, b) => b - a)).toEqual([100, 50]);
    expect(new Set(triggers().flatMap((t) => t.channels))).toEqual(new Set(users(150)));

    broker.requests.length = 0;
    nextRequest();
    for (const channel of users(150, 1000)) publishInvalidate(channel, { scope: "notifications" });
    await flushAfter();
    expect(broker.requests).toHaveLength(2);
    expect(triggers().map((t) => t.channels.length).sort((a, b) => b - a)).toEqual([100, 50]);
  });

  it("sends 25 distinct signals in 3 triggerBatch calls of at most 10 events", async () => {
    for (let id = 1; id <= 25; id++) publishInvalidate(userChannel(7), bookmark(id));
    expect(broker.requests).toHaveLength(0);
    await flushAfter();
    expect(broker.requests).toHaveLength(3);
    expect(batches().map((b) => b.batch.length)).toEqual([10, 10, 5]);
    const sent = batches().flatMap((b) => b.batch.map((e) => JSON.parse(e.data).ids.resource_id));
    expect(sent.sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(batches()[0].batch[0]).toMatchObject({ channel: "private-user.7", name: "invalidate" });
  });

  it("drops duplicates: the same signal on the same channel goes out once per request", async () => {
    for (let i = 0; i < 5; i++) publishInvalidate([userChannel(1), userChannel(2)], { scope: "notifications" });
    publishInvalidate(userChannel(3), { scope: "notifications" });
    // Same ids in another order are the same signal.
    publishInvalidate(resourceChannel("ARTICLE", 9), { scope: "comments", ids: { resource_id: 9, resource_type: "ARTICLE" } });
    publishInvalidate(resourceChannel("ARTICLE", 9), { scope: "comments", ids: { resource_type: "ARTICLE", resource_id: 9 } } as never);
    await flushAfter();
    const deliveries = [
      ...triggers().flatMap((t) => t.channels.map((c) => `${c} ${t.data}`)),
      ...batches().flatMap((b) => b.batch.map((e) => `${e.channel} ${e.data}`)),
    ];
    expect(deliveries.sort()).toEqual(
      [
        `private-user.1 {"scope":"notifications"}`,
        `private-user.2 {"scope":"notifications"}`,
        `private-user.3 {"scope":"notifications"}`,
        `private-resource.ARTICLE.9 {"scope":"comments","ids":{"resource_id":9,"resource_type":"ARTICLE"}}`,
      ].sort(),
    );
    // The multi-channel trigger rode in the batch's free slots: one call in all.
    expect(broker.requests).toHaveLength(1);
    expect(publishMetricsSnapshot().publishes).toMatchObject({ requested: 13, duplicates_dropped: 9, sent: 4, failed: 0 });
  });

  it("keeps requests apart: each request's signals are flushed by that request's after()", async () => {
    nextRequest();
    publishInvalidate(userChannel(1), { scope: "notifications" });
    const first = request.afterQueue.splice(0);
    nextRequest();
    publishInvalidate(userChannel(2), { scope: "notifications" });
    await Promise.all(first.map((t) => t()));
    expect(triggers().map((t) => t.channels)).toEqual([["private-user.1"]]);
    await flushAfter();
    expect(triggers().map((t) => t.channels)).toEqual([["private-user.1"], ["private-user.2"]]);
  });

  it("outside a request (after() unavailable) still merges what one turn of the event loop publishes", async () => {
    const nextServer = await import("next/server");
    vi.spyOn(nextServer, "after").mockImplementation(() => {
      throw new Error("`after` was called outside a request scope");
    });
    for (let id = 1; id <= 12; id++) publishInvalidate(userChannel(5), bookmark(id));
    await vi.waitFor(() => expect(batches().flatMap((b) => b.batch)).toHaveLength(12));
    expect(batches().map((b) => b.batch.length)).toEqual([10, 2]);
  });
});

describe("excluding the originating connection", () => {
  it("reads x-socket-id from the request when the caller gives none, for triggers and batch events alike", async () => {
    nextRequest({ "x-socket-id": "123.456" });
    publishInvalidate(users(3), { scope: "notifications" });
    // Ten events fill their batch, so the 3-channel signal stays a trigger of its own.
    for (let id = 1; id <= 10; id++) publishInvalidate(userChannel(9), bookmark(id));
    await flushAfter();
    expect(triggers()).toEqual([expect.objectContaining({ channels: users(3), socket_id: "123.456" })]);
    const events = batches().flatMap((b) => b.batch);
    expect(events).toHaveLength(10);
    for (const e of events) expect(e.socket_id).toBe("123.456");
  });

  it.each(["abc", "1.2.3", "1.2; 3.4", "12", " ", "9".repeat(30) + ".1"])("ignores a malformed header %j", async (value) => {
    nextRequest({ "x-socket-id": value });
    publishInvalidate(users(2), { scope: "notifications" });
    await flushAfter();
    expect(triggers()).toHaveLength(1);
    expect(triggers()[0].socket_id).toBeUndefined();
  });

  it("lets the caller override the header with its own id, or with null for no exclusion", async () => {
    nextRequest({ "x-socket-id": "1.1" });
    publishInvalidate(users(2), { scope: "notifications" }, { socketId: "2.2" });
    publishInvalidate(users(2, 10), { scope: "notifications" }, { socketId: null });
    await flushAfter();
    const byChannel = Object.fromEntries(triggers().map((t) => [t.channels[0], t.socket_id]));
    expect(byChannel).toEqual({ "private-user.1": "2.2", "private-user.10": undefined });
  });
});

describe("publishInvalidateNow with a list (Inngest steps)", () => {
  it("batches a list like a request's signals, awaited", async () => {
    await publishInvalidateNow([
      ...Array.from({ length: 12 }, (_, i) => ({ channels: userChannel(4), signal: bookmark(i + 1) })),
      { channels: users(120, 100), signal: { scope: "notifications" } },
      { channels: userChannel(4), signal: bookmark(1) },
    ]);
    expect(triggers().map((t) => t.channels.length).sort((a, b) => a - b)).toEqual([20, 100]);
    expect(batches().map((b) => b.batch.length)).toEqual([10, 2]);
    await expect(publishInvalidateNow([])).resolves.toBeUndefined();
  });

  it("counts Soketi's 200-with-error answer to triggerBatch as a failure of every event in it", async () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    broker.setMode({ kind: "reply", status: 200, body: '{"error":"Cannot batch-send more than 10 messages at once","code":400}' });
    const err = await publishInvalidateNow(Array.from({ length: 3 }, (_, i) => ({ channels: userChannel(6), signal: bookmark(i + 1) }))).catch((e) => e);
    expect(err).toBeInstanceOf(RealtimePublishError);
    expect(err.message).toMatch(/private-user\.6.*Cannot batch-send/);
    expect(batches()).toHaveLength(1);
    expect(error).toHaveBeenCalledTimes(1);
    expect(publishMetricsSnapshot()).toMatchObject({
      publishes: { sent: 0, failed: 3 },
      calls: { total: 1, failed: 1 },
      last_failure: { reason: expect.stringContaining("Cannot batch-send") },
    });
  });

  it("packs concurrent callers' single signals into shared triggerBatch calls", async () => {
    await Promise.all(Array.from({ length: 30 }, (_, i) => publishInvalidateNow(userChannel(8), bookmark(i + 1))));
    expect(batches().map((b) => b.batch.length)).toEqual([10, 10, 10]);
    expect(triggers()).toHaveLength(0);
  });
});

describe("a slow or dead broker", () => {
  it("bounds all background work by the timeout, even with more calls than connections", async () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    broker.setMode({ kind: "hang" });
    const requests = MAX_IN_FLIGHT * 3;
    for (let i = 0; i < requests; i++) {
      nextRequest();
      publishInvalidate(users(2, 10 * i + 1), { scope: "notifications" });
    }
    const started = Date.now();
    await flushAfter();
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(1200);
    // Calls beyond the connection limit were never sent: they timed out waiting.
    expect(triggers()).toHaveLength(MAX_IN_FLIGHT);
    expect(publishMetricsSnapshot().publishes).toMatchObject({ sent: 0, failed: requests * 2 });
    const lines = error.mock.calls.map((c) => String(c[0]));
    expect(lines.every((l) => /timed out after 300ms/.test(l))).toBe(true);
    expect(lines.length).toBeGreaterThanOrEqual(MAX_IN_FLIGHT + 1);
  });

  it("adds nothing to the caller: publishInvalidate returns before any network work", () => {
    broker.setMode({ kind: "hang" });
    const started = performance.now();
    for (let i = 0; i < 200; i++) publishInvalidate(userChannel(1), bookmark(i + 1));
    expect(performance.now() - started).toBeLessThan(200);
    expect(broker.requests).toHaveLength(0);
  });
});

describe("PublishBatch planning", () => {
  it("uses the fewest calls: full triggers, then events, small triggers filling the last batch", () => {
    const batch = new PublishBatch();
    batch.add({ channels: users(250), signal: { scope: "notifications" } });
    for (let id = 1; id <= 7; id++) batch.add({ channels: [userChannel(1)], signal: bookmark(id) });
    const units = batch.units();
    expect(units.filter((u) => u.kind === "trigger").map((u) => (u as { channels: string[] }).channels.length)).toEqual([50, 100, 100]);
    // The 50-channel remainder does not fit in the batch's 3 free slots, so it stays a trigger.
    expect(units.filter((u) => u.kind === "event")).toHaveLength(7);

    const small = new PublishBatch();
    small.add({ channels: users(2), signal: { scope: "notifications" } });
    expect(small.units()).toEqual([{ kind: "trigger", channels: users(2), data: '{"scope":"notifications"}', socketId: undefined }]);
  });
});
