import { beforeEach, describe, expect, it, vi } from "vitest";
import { createBroker } from "@/lib/realtime/server/broker";
import { PublishMetrics } from "@/lib/realtime/server/health";
import {
  MAX_CHANNELS_PER_TRIGGER,
  MAX_EVENTS_PER_BATCH,
  MAX_IN_FLIGHT,
  PublishBatch,
  PublishSender,
  type Outcome,
  type PublishUnit,
} from "@/lib/realtime/server/sender";
import { userChannel } from "@/backend/realtime/channels";
import { uuid } from "../../helpers/uuids";
import { FAKE_CLOCKS, realTick, setupFakeBroker, soketiRefusal, untilReal } from "./fake-broker";

/**
 * Publishing internals (src/lib/realtime/server/sender.ts): how deliveries are planned into broker calls
 * (PublishBatch) and how calls go out through one broker (PublishSender: bounded in flight, packed under load, every
 * delivery settled within the broker timeout). Against a fake Pusher-protocol endpoint; timeouts on fake timers.
 */
const TIMEOUT_MS = 2_000;
const fake = setupFakeBroker({ timeoutMs: TIMEOUT_MS });

const users = (n: number, from = 0) => Array.from({ length: n }, (_, i) => userChannel(uuid(`user-${from + i}`)));
const NOTIFICATIONS = '{"scope":"notifications"}';
const bookmark = (i: number) => JSON.stringify({ scope: "bookmarks", ids: { resource_id: uuid(`article-${i}`) } });
const event = (channel: string, data: string, socketId?: string): PublishUnit => ({ kind: "event", channel, data, socketId });

let metrics: PublishMetrics;
let sender: PublishSender;
beforeEach(() => {
  metrics = new PublishMetrics();
  sender = new PublishSender(createBroker(fake.broker.config(TIMEOUT_MS)), metrics);
});

describe("PublishBatch: the fewest broker calls for one request's deliveries", () => {
  it("full triggers, then events; a remainder too big for the last batch's free slots stays a trigger", () => {
    const batch = new PublishBatch();
    batch.add({ channels: users(250), data: NOTIFICATIONS });
    for (let i = 1; i <= 7; i++) batch.add({ channels: users(1), data: bookmark(i) });
    const units = batch.units();
    expect(units.filter((u) => u.kind === "trigger").map((u) => (u as { channels: string[] }).channels.length)).toEqual([50, 100, 100]);
    // The 50-channel remainder does not fit in the batch's 3 free slots, so it stays a trigger.
    expect(units.filter((u) => u.kind === "event")).toHaveLength(7);
    expect(MAX_CHANNELS_PER_TRIGGER).toBe(100);
  });

  it("a small trigger rides in the free slots of the last batch; a lone one stays a plain trigger", () => {
    const batch = new PublishBatch();
    batch.add({ channels: users(3), data: NOTIFICATIONS });
    for (let i = 1; i <= 5; i++) batch.add({ channels: users(1), data: bookmark(i) });
    const units = batch.units();
    expect(units.every((u) => u.kind === "event")).toBe(true);
    expect(units).toHaveLength(8);

    const small = new PublishBatch();
    small.add({ channels: users(2), data: NOTIFICATIONS });
    expect(small.units()).toEqual([{ kind: "trigger", channels: users(2), data: NOTIFICATIONS, socketId: undefined }]);
  });

  it("drops a repeated signal on a channel, and keeps the same signal with another connection to skip apart", () => {
    const batch = new PublishBatch();
    batch.add({ channels: users(2), data: NOTIFICATIONS });
    batch.add({ channels: users(3), data: NOTIFICATIONS });
    batch.add({ channels: users(1), data: NOTIFICATIONS, socketId: "1.2" });
    expect(batch.requested).toBe(6);
    expect(batch.duplicates).toBe(2);
    const units = batch.units();
    // Three channels without exclusion ride as events beside the one excluding 1.2: four events, one call.
    expect(units.map((u) => `${u.socketId ?? "-"} ${u.kind === "event" ? u.channel : u.channels.join(",")}`).sort()).toEqual(
      [...users(3).map((c) => `- ${c}`), `1.2 ${users(1)[0]}`].sort(),
    );
    expect(new PublishBatch().isEmpty).toBe(true);
  });
});

describe("PublishSender: calls to one broker", () => {
  it("sends a lone signal at once as a plain trigger, signed, with the signal as data and the connection to skip", async () => {
    expect(await sender.submit([event(users(1)[0], NOTIFICATIONS, "123.456")])).toEqual([null]);
    const [call] = fake.broker.calls();
    expect(call.url).toMatch(/^\/apps\/fake-app\/events\?.*auth_signature=[0-9a-f]{64}/);
    expect(JSON.parse(call.body)).toEqual({ name: "invalidate", channels: users(1), data: NOTIFICATIONS, socket_id: "123.456" });
    expect(metrics.snapshot()).toMatchObject({ publishes: { sent: 1, failed: 0 }, calls: { total: 1, failed: 0 } });
  });

  it("packs what concurrent requests submit in one turn into shared triggerBatch calls of at most 10 events", async () => {
    const outcomes = await Promise.all(Array.from({ length: 30 }, (_, i) => sender.submit([event(users(1)[0], bookmark(i))])));
    expect(outcomes.flat()).toEqual(Array(30).fill(null));
    expect(fake.broker.batches().map((b) => b.batch.length)).toEqual([10, 10, 10]);
    expect(fake.broker.triggers()).toHaveLength(0);
    expect(MAX_EVENTS_PER_BATCH).toBe(10);
    expect(metrics.snapshot()).toMatchObject({ publishes: { sent: 30 }, calls: { total: 3 } });
  });

  it("delivers identical work from two requests waiting together once, and settles both", async () => {
    const unit = event(users(1)[0], NOTIFICATIONS);
    expect(await Promise.all([sender.submit([unit]), sender.submit([{ ...unit }])])).toEqual([[null], [null]]);
    expect(fake.broker.deliveries()).toEqual([`- ${users(1)[0]} ${NOTIFICATIONS}`]);
    expect(metrics.snapshot().publishes).toMatchObject({ duplicates_dropped: 1, sent: 1 });
  });

  it.each([
    ["Soketi's success body", 200, '{"ok":true}'],
    ["Pusher's success body", 200, "{}"],
    ["an empty body", 200, ""],
  ])("accepts %s", async (_label, status, body) => {
    fake.broker.setMode({ kind: "reply", status, body });
    expect(await sender.submit([{ kind: "trigger", channels: users(2), data: NOTIFICATIONS }])).toEqual([null]);
  });

  it.each([
    ["Soketi's HTTP 200 with an error body", 200, '{"error":"The data content of this event exceeds the allowed maximum (100 KB).","code":413}', /HTTP 200.*exceeds/],
    ["an HTTP 200 with a non-JSON body", 200, "<html>proxy</html>", /HTTP 200 <html>/],
    ["an HTTP 200 with an unexpected JSON value", 200, "[]", /HTTP 200 \[\]/],
    ["HTTP 413", 413, '{"error":"too big"}', /HTTP 413/],
    ["HTTP 500", 500, "boom", /HTTP 500 boom/],
  ])("fails on %s, logging it once with the channels", async (_label, status, body, reason) => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    fake.broker.setMode({ kind: "reply", status, body });
    const [outcome] = await sender.submit([{ kind: "trigger", channels: users(2), data: NOTIFICATIONS }]);
    expect(outcome).toMatch(reason);
    expect(fake.broker.calls()).toHaveLength(1);
    expect(error).toHaveBeenCalledTimes(1);
    expect(String(error.mock.calls[0][0])).toContain(users(2).join(","));
    expect(String(error.mock.calls[0][0])).not.toMatch(/auth_signature|fake-secret/);
  });

  it("counts Soketi's 200-with-error answer to triggerBatch as a failure of every event in it", async () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    fake.broker.setMode(soketiRefusal("Cannot batch-send more than 10 messages at once"));
    const outcomes = await Promise.all([1, 2, 3].map((i) => sender.submit([event(users(1)[0], bookmark(i))])));
    expect(outcomes.flat()).toEqual(Array(3).fill(expect.stringMatching(/Cannot batch-send/)));
    expect(fake.broker.batches()).toHaveLength(1);
    expect(error).toHaveBeenCalledTimes(1);
    expect(metrics.snapshot()).toMatchObject({
      publishes: { sent: 0, failed: 3 },
      calls: { total: 1, failed: 1 },
      last_failure: { reason: expect.stringContaining("Cannot batch-send") },
    });
  });
});

describe("PublishSender: a slow or dead broker (fake clock)", () => {
  async function settledAt(outcome: () => unknown, timeoutMs: number) {
    await vi.advanceTimersByTimeAsync(timeoutMs - 1);
    // Give any settlement a real chance to land before saying it did not.
    await realTick();
    await realTick();
    expect(outcome()).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    await untilReal(() => outcome() !== undefined, "settled at the timeout");
  }

  it("gives up on a broker that never answers exactly at the timeout, not before", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    vi.useFakeTimers(FAKE_CLOCKS);
    fake.broker.setMode({ kind: "hang" });
    let outcome: Outcome[] | undefined;
    void sender.submit([{ kind: "trigger", channels: users(2), data: NOTIFICATIONS }]).then((o) => (outcome = o));
    await untilReal(() => fake.broker.calls().length === 1, "the call reached the broker");
    await settledAt(() => outcome, TIMEOUT_MS);
    expect(outcome).toEqual([`timed out after ${TIMEOUT_MS}ms`]);
  });

  it("also bounds reading a response whose body never finishes", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    vi.useFakeTimers(FAKE_CLOCKS);
    fake.broker.setMode({ kind: "hang-body" });
    let outcome: Outcome[] | undefined;
    void sender.submit([{ kind: "trigger", channels: users(2), data: NOTIFICATIONS }]).then((o) => (outcome = o));
    await untilReal(() => fake.broker.calls().length === 1, "the call reached the broker");
    await settledAt(() => outcome, TIMEOUT_MS);
    expect(outcome).toEqual([expect.stringMatching(/timed out/)]);
  });

  it("settles all work within the timeout, even with more calls than connections; the excess is never sent", async () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    vi.useFakeTimers(FAKE_CLOCKS);
    fake.broker.setMode({ kind: "hang" });
    const requests = MAX_IN_FLIGHT * 3;
    const outcomes: Array<Outcome[] | undefined> = Array(requests).fill(undefined);
    for (let i = 0; i < requests; i++) {
      void sender.submit([{ kind: "trigger", channels: users(2, 10 * i), data: NOTIFICATIONS }]).then((o) => (outcomes[i] = o));
    }
    await untilReal(() => fake.broker.calls().length === MAX_IN_FLIGHT, `${MAX_IN_FLIGHT} calls reached the broker`);
    expect(sender.stats).toEqual({ in_flight: MAX_IN_FLIGHT, queued: requests - MAX_IN_FLIGHT });
    await settledAt(() => (outcomes.every(Boolean) ? true : undefined), TIMEOUT_MS);
    expect(outcomes.flat().every((o) => typeof o === "string" && o.startsWith(`timed out after ${TIMEOUT_MS}ms`))).toBe(true);
    // Calls beyond the connection limit were never sent: they timed out waiting.
    await realTick();
    expect(fake.broker.calls()).toHaveLength(MAX_IN_FLIGHT);
    expect(sender.stats).toEqual({ in_flight: 0, queued: 0 });
    expect(metrics.snapshot().publishes).toMatchObject({ sent: 0, failed: requests * 2 });
    const lines = error.mock.calls.map((c) => String(c[0]));
    expect(lines.every((l) => l.includes(`timed out after ${TIMEOUT_MS}ms`))).toBe(true);
    // One line per failed call, and one for the units that expired waiting for a connection.
    expect(lines).toHaveLength(MAX_IN_FLIGHT + 1);
  });

  it("work identical to a unit that expired waiting for a connection is sent afresh, not attached to the expired one", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    vi.useFakeTimers(FAKE_CLOCKS);
    fake.broker.setMode({ kind: "hang" });
    for (let i = 0; i < MAX_IN_FLIGHT; i++) void sender.submit([{ kind: "trigger", channels: users(2, 10 * i), data: NOTIFICATIONS }]);
    let expired: Outcome[] | undefined;
    void sender.submit([event(users(1, 999)[0], NOTIFICATIONS)]).then((o) => (expired = o));
    await untilReal(() => fake.broker.calls().length === MAX_IN_FLIGHT, `${MAX_IN_FLIGHT} calls reached the broker`);
    await settledAt(() => expired, TIMEOUT_MS);
    expect(expired![0]).toMatch(/waiting for a free connection/);

    fake.broker.setMode({ kind: "reply", status: 200, body: "{}" });
    let again: Outcome[] | undefined;
    void sender.submit([event(users(1, 999)[0], NOTIFICATIONS)]).then((o) => (again = o));
    await untilReal(() => again !== undefined, "the same work, submitted again, settled");
    expect(again).toEqual([null]);
    expect(fake.broker.deliveries()).toContain(`- ${users(1, 999)[0]} ${NOTIFICATIONS}`);
  });
});
