import { afterEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { RealtimePublishError } from "@/lib/realtime/server";
import type { RealtimeHealth } from "@/lib/realtime/server";
import { runAction } from "@/backend/action-result";
import { profileChannel, resourceChannel, userChannel } from "@/backend/realtime/channels";
import { publishInvalidate, realtime } from "@/backend/realtime/server";
import type { AppPublication } from "@/backend/realtime/scopes";
import { bookmarkSignal, commentThreadSignal, notificationsSignal } from "@/backend/realtime/signals";
import { flushAfter, request, resetRequest } from "../../helpers/next-request";
import { uuid } from "../../helpers/uuids";
import { FAKE_CLOCKS, realTick, setupFakeBroker, soketiRefusal, untilReal, setBrokerEnv } from "./fake-broker";

/**
 * publishInvalidate, the one way to publish (the app's instance, src/backend/realtime/server.ts), against a fake
 * Pusher-protocol endpoint: what its receipt does when ignored (server actions), when awaited (Inngest steps), the
 * signals it hands back, the connection it leaves out, and how one request's publications become broker calls.
 */
const TIMEOUT_MS = 5_000;
const fake = setupFakeBroker({ timeoutMs: TIMEOUT_MS });
afterEach(() => realtime.dispose());

const U = (n: number) => uuid(`user-${n}`);
const users = (n: number, from = 1) => Array.from({ length: n }, (_, i) => userChannel(U(from + i)));
const ARTICLE = uuid("article");
const notify = (channels: string[]): AppPublication => ({ channels, signal: { scope: "notifications" } });
const bookmark = (user: number, article: number) => bookmarkSignal(U(user), uuid(`article-${article}`));
const NOTIFICATIONS = '{"scope":"notifications"}';

/** An action body run the way every server action runs (runAction, so inside collectSignals). */
const action = <T>(body: () => Promise<T> | T) => runAction(z.object({}), {}, async () => body());
/** A new simulated request: Next gives each request its own Headers object. */
const nextRequest = (headers: Record<string, string> = {}) => {
  resetRequest();
  request.headers = new Headers(headers);
};
/** Counts the calls that reach the REST client, synchronously observable (unlike the network). */
function clientCalls() {
  const rest = realtime.broker()!.rest;
  const trigger = vi.spyOn(rest, "trigger");
  const batch = vi.spyOn(rest, "triggerBatch");
  return () => trigger.mock.calls.length + batch.mock.calls.length;
}
/** Publish counters of the app's instance, as differences from a starting point (its metrics never reset). */
async function counters() {
  const start = await realtime.health();
  return async () => {
    const now: RealtimeHealth = await realtime.health();
    return {
      publishes: Object.fromEntries(Object.entries(now.publishes).map(([k, v]) => [k, v - start.publishes[k as keyof typeof now.publishes]])),
      calls: { total: now.calls.total - start.calls.total, failed: now.calls.failed - start.calls.failed },
    };
  };
}

describe("in a server action: the receipt is ignored, the publication is sent at commit, never awaited", () => {
  it("what the action publishes synchronously goes out together, as one batch, while the action still runs", async () => {
    nextRequest({ "x-socket-id": "123.456" });
    const calls = clientCalls();
    const result = await action(async () => {
      publishInvalidate(notificationsSignal(U(1)));
      publishInvalidate(bookmark(2, 1));
      publishInvalidate(commentThreadSignal({ resource_type: "ARTICLE", resource_id: ARTICLE }));
      expect(calls()).toBe(0); // batched: the send starts once the publishing work is over
      // after() only holds the send alive past the response; it is already under way.
      expect(request.afterQueue).toHaveLength(1);
      await untilReal(() => fake.broker.calls().length === 1, "the batch reached the broker before the action returned");
      return "done";
    });
    expect(result).toMatchObject({ ok: true, data: "done" });
    expect(calls()).toBe(1);
    expect(fake.broker.triggers()).toHaveLength(0);
    expect(fake.broker.batches()).toHaveLength(1);
    // Running the held work after the response sends nothing more.
    await flushAfter();
    expect(calls()).toBe(1);
    // The tab that made the change (its X-Socket-Id) is left out of every delivery; it applies `signals` itself.
    expect(fake.broker.deliveries()).toEqual(
      [
        `123.456 ${userChannel(U(1))} ${NOTIFICATIONS}`,
        `123.456 ${userChannel(U(2))} {"scope":"bookmarks","ids":{"resource_id":"${uuid("article-1")}"}}`,
        `123.456 ${resourceChannel("ARTICLE", ARTICLE)} {"scope":"comments","ids":{"resource_id":"${ARTICLE}","resource_type":"ARTICLE"}}`,
      ].sort(),
    );
  });

  it("the send starts once the publishing work is over: after the action and its caller's continuation, before any setImmediate", async () => {
    nextRequest();
    const calls = clientCalls();
    const seen: string[] = [];
    // Queued before the action runs: a send that waited for the loop's check phase (setImmediate) would come after it.
    const checkPhase = new Promise<void>((resolve) => setImmediate(() => resolve(void seen.push(`setImmediate: ${calls()} call(s)`))));
    await action(async () => {
      publishInvalidate(notificationsSignal(U(7)));
      await Promise.resolve(); // an await that does no I/O: still the same piece of work
      publishInvalidate(bookmark(7, 1));
      seen.push(`action returns: ${calls()} call(s)`);
    });
    seen.push(`caller continues: ${calls()} call(s)`);
    await checkPhase;
    // Neither before the action's own continuation (building the call costs CPU) nor after the next I/O callback.
    expect(seen).toEqual(["action returns: 0 call(s)", "caller continues: 0 call(s)", "setImmediate: 1 call(s)"]);
    await untilReal(() => fake.broker.calls().length === 1, "the call reached the broker");
    expect(fake.broker.batches()).toHaveLength(1); // both publications in that one call
    await flushAfter();
    expect(calls()).toBe(1);
  });

  it("never throws, and logs a failed publish once with its channel and reason", async () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    fake.broker.setMode(soketiRefusal("Payload too large", 413));
    expect(await action(() => void publishInvalidate(notificationsSignal(U(3))))).toMatchObject({ ok: true });
    await expect(flushAfter()).resolves.toBeUndefined();
    expect(fake.broker.calls()).toHaveLength(1);
    expect(error).toHaveBeenCalledTimes(1);
    expect(String(error.mock.calls[0][0])).toMatch(new RegExp(`private-user\\.${U(3)}.*Payload too large`));

    error.mockClear();
    nextRequest();
    vi.useFakeTimers(FAKE_CLOCKS);
    fake.broker.setMode({ kind: "hang" });
    expect(await action(() => void publishInvalidate(notificationsSignal(U(4))))).toMatchObject({ ok: true });
    const flushed = flushAfter();
    await untilReal(() => fake.broker.calls().length === 2, "the call reached the broker");
    await vi.advanceTimersByTimeAsync(TIMEOUT_MS);
    await expect(flushed).resolves.toBeUndefined();
    expect(error).toHaveBeenCalledTimes(1);
    expect(String(error.mock.calls[0][0])).toMatch(new RegExp(`private-user\\.${U(4)}.*timed out after ${TIMEOUT_MS}ms`));
  });

  it("a receipt returned from the action body or gathered in Promise.all is not waited for: a refusal never fails the action", async () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    fake.broker.setMode(soketiRefusal("Payload too large", 413));
    // An async body returning the receipt, and a Promise.all over receipts, would adopt a thenable and fail the action.
    const result = await action(async () => {
      await Promise.all([publishInvalidate(notificationsSignal(U(6)))]);
      return publishInvalidate(bookmark(1, 1));
    });
    expect(result).toMatchObject({ ok: true });
    await flushAfter();
    // Both were sent (and refused), each logged, none thrown.
    expect(fake.broker.deliveries()).toEqual(
      [`- ${userChannel(U(6))} ${NOTIFICATIONS}`, `- ${userChannel(U(1))} {"scope":"bookmarks","ids":{"resource_id":"${uuid("article-1")}"}}`].sort(),
    );
    expect(error).toHaveBeenCalled();
    for (const [line] of error.mock.calls) expect(String(line)).toMatch(/Payload too large/);
  });

  it("never throws on an invalid publication either: it is logged and dropped, the action's valid ones still go", async () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    const result = await action(() => {
      const bad = publishInvalidate({ channels: [`${userChannel(U(1))}.x`], signal: { scope: "notifications" } });
      const unknown = publishInvalidate({ channels: [userChannel(U(1))], signal: { scope: "nope" } } as never);
      expect(bad.signals).toEqual([]);
      expect(unknown.signals).toEqual([]);
      publishInvalidate(notificationsSignal(U(5)));
    });
    expect(result).toEqual({ ok: true, data: undefined, signals: [{ scope: "notifications" }] });
    expect(error).toHaveBeenCalledTimes(2);
    await flushAfter();
    expect(fake.broker.deliveries()).toEqual([`- ${userChannel(U(5))} ${NOTIFICATIONS}`]);
  });

  it("is no slower for the caller with a hanging broker: the action returns while its broker calls hang", async () => {
    vi.useFakeTimers(FAKE_CLOCKS);
    fake.broker.setMode({ kind: "hang" });
    vi.spyOn(console, "error").mockImplementation(() => {});
    const calls = clientCalls();
    const result = await action(() => {
      for (let i = 0; i < 200; i++) publishInvalidate(bookmark(1, i));
    });
    // The clock is fake, so the broker's deadline cannot have passed: the action did not wait for the broker.
    expect(result.ok).toBe(true);
    await untilReal(() => fake.broker.calls().length === 20, "200 events in 20 calls reached the broker");
    expect(calls()).toBe(20);
    // The held work ends with the deadline (the calls time out), never earlier and never by throwing.
    let held = false;
    const flushed = flushAfter().then(() => void (held = true));
    await realTick();
    expect(held).toBe(false);
    await vi.advanceTimersByTimeAsync(TIMEOUT_MS);
    await expect(flushed).resolves.toBeUndefined();
    expect(held).toBe(true);
  });
});

describe("in a server action: excluding the originating connection (X-Socket-Id)", () => {
  it("reads x-socket-id from the request when the caller gives none, for triggers and batch events alike", async () => {
    nextRequest({ "x-socket-id": "123.456" });
    await action(() => {
      publishInvalidate(notify(users(3)));
      // Ten events fill their batch, so the 3-channel signal stays a trigger of its own.
      for (let i = 1; i <= 10; i++) publishInvalidate(bookmark(9, i));
    });
    await flushAfter();
    expect(fake.broker.triggers()).toEqual([expect.objectContaining({ channels: users(3), socket_id: "123.456" })]);
    const events = fake.broker.batches().flatMap((b) => b.batch);
    expect(events).toHaveLength(10);
    for (const e of events) expect(e.socket_id).toBe("123.456");
  });

  it.each(["abc", "1.2.3", "1.2; 3.4", "12", " ", "9".repeat(30) + ".1"])("ignores a malformed header %j", async (value) => {
    nextRequest({ "x-socket-id": value });
    await action(() => void publishInvalidate(notify(users(2))));
    await flushAfter();
    expect(fake.broker.triggers()).toHaveLength(1);
    expect(fake.broker.triggers()[0].socket_id).toBeUndefined();
  });

  it("lets the caller override the header with its own id, or with null for no exclusion", async () => {
    nextRequest({ "x-socket-id": "1.1" });
    await action(() => {
      publishInvalidate(notify(users(2)), { socketId: "2.2" });
      publishInvalidate(notify(users(2, 10)), { socketId: null });
      publishInvalidate(notify(users(2, 20)));
    });
    await flushAfter();
    const byChannel = Object.fromEntries(fake.broker.triggers().map((t) => [t.channels[0], t.socket_id]));
    expect(byChannel).toEqual({ [users(1)[0]]: "2.2", [users(1, 10)[0]]: undefined, [users(1, 20)[0]]: "1.1" });
  });
});

describe("in a server action: one request's publications as the fewest broker calls", () => {
  it("sends one signal to 150 channels in 2 HTTP calls, whether given at once or one channel per publication", async () => {
    await action(() => void publishInvalidate(notify(users(150))));
    await flushAfter();
    // The two calls go out concurrently, so they may arrive in either order.
    expect(fake.broker.triggers().map((t) => t.channels.length).sort((a, b) => b - a)).toEqual([100, 50]);
    expect(new Set(fake.broker.triggers().flatMap((t) => t.channels))).toEqual(new Set(users(150)));

    fake.broker.requests.length = 0;
    nextRequest();
    await action(() => {
      for (const channel of users(150, 1000)) publishInvalidate(notify([channel]));
    });
    await flushAfter();
    expect(fake.broker.calls()).toHaveLength(2);
    expect(fake.broker.triggers().map((t) => t.channels.length).sort((a, b) => b - a)).toEqual([100, 50]);
  });

  it("sends 25 distinct signals in 3 triggerBatch calls of at most 10 events", async () => {
    await action(() => {
      for (let i = 1; i <= 25; i++) publishInvalidate(bookmark(7, i));
    });
    expect(fake.broker.calls()).toHaveLength(0);
    await flushAfter();
    expect(fake.broker.calls()).toHaveLength(3);
    expect(fake.broker.batches().map((b) => b.batch.length)).toEqual([10, 10, 5]);
    const sent = fake.broker.batches().flatMap((b) => b.batch.map((e) => JSON.parse(e.data).ids.resource_id as string));
    expect(sent.sort()).toEqual(Array.from({ length: 25 }, (_, i) => uuid(`article-${i + 1}`)).sort());
    expect(fake.broker.batches()[0].batch[0]).toMatchObject({ channel: userChannel(U(7)), name: "invalidate" });
  });

  it("drops duplicates: the same signal on the same channel goes out once per request", async () => {
    const delta = await counters();
    const comments = commentThreadSignal({ resource_type: "ARTICLE", resource_id: ARTICLE });
    await action(() => {
      for (let i = 0; i < 5; i++) publishInvalidate(notify(users(2)));
      publishInvalidate(notify(users(1, 3)));
      publishInvalidate(comments);
      // The same ids in another order are the same signal.
      publishInvalidate({ channels: comments.channels, signal: { scope: "comments", ids: { resource_type: "ARTICLE", resource_id: ARTICLE } } });
    });
    await flushAfter();
    expect(fake.broker.deliveries()).toEqual(
      [
        `- ${userChannel(U(1))} ${NOTIFICATIONS}`,
        `- ${userChannel(U(2))} ${NOTIFICATIONS}`,
        `- ${userChannel(U(3))} ${NOTIFICATIONS}`,
        `- ${resourceChannel("ARTICLE", ARTICLE)} {"scope":"comments","ids":{"resource_id":"${ARTICLE}","resource_type":"ARTICLE"}}`,
      ].sort(),
    );
    // The multi-channel trigger rode in the batch's free slots: one call in all.
    expect(fake.broker.calls()).toHaveLength(1);
    expect(await delta()).toMatchObject({ publishes: { requested: 13, duplicates_dropped: 9, sent: 4, failed: 0 }, calls: { total: 1, failed: 0 } });
  });

  it("keeps requests apart: each request's publications go out without its own tab, held by its own after()", async () => {
    nextRequest({ "x-socket-id": "1.1" });
    await action(() => void publishInvalidate(notify(users(2, 1))));
    const first = request.afterQueue.splice(0);
    nextRequest({ "x-socket-id": "2.2" });
    await action(() => void publishInvalidate(notify(users(2, 3))));
    const second = request.afterQueue.splice(0);
    expect([first.length, second.length]).toEqual([1, 1]);
    await Promise.all([...first, ...second].map((t) => t()));
    expect(fake.broker.triggers().map((t) => [t.socket_id, t.channels])).toEqual([
      ["1.1", users(2, 1)],
      ["2.2", users(2, 3)],
    ]);
  });
});

describe("awaited (an Inngest step): sent at once, settled by the broker's answer", () => {
  it("sends one signed trigger at once and resolves on Soketi's and on Pusher's success body", async () => {
    await publishInvalidate(notificationsSignal(U(1))).delivered();
    fake.broker.setMode({ kind: "reply", status: 200, body: "{}" });
    await publishInvalidate(notify(users(2)), { socketId: "123.456" }).delivered();
    expect(fake.broker.calls()).toHaveLength(2);
    // Nothing was left for after(): running it sends nothing more.
    await flushAfter();
    expect(fake.broker.calls()).toHaveLength(2);

    const [first, second] = fake.broker.calls();
    expect(first.method).toBe("POST");
    expect(first.url).toMatch(/auth_signature=[0-9a-f]{64}/);
    expect(JSON.parse(first.body)).toEqual({ name: "invalidate", channels: users(1), data: NOTIFICATIONS });
    expect(JSON.parse(second.body)).toMatchObject({ channels: users(2), socket_id: "123.456" });
  });

  it("inside an action too: sent while the action runs, and not sent again after the response", async () => {
    nextRequest({ "x-socket-id": "7.7" });
    const result = await action(async () => {
      await publishInvalidate(notificationsSignal(U(1))).delivered();
      expect(fake.broker.deliveries()).toEqual([`7.7 ${userChannel(U(1))} ${NOTIFICATIONS}`]);
      return 1;
    });
    expect(result).toEqual({ ok: true, data: 1, signals: [{ scope: "notifications" }] });
    await flushAfter();
    expect(fake.broker.calls()).toHaveLength(1);
  });

  it.each([
    ["Soketi's HTTP 200 with an error body", 200, '{"error":"The data content of this event exceeds the allowed maximum (100 KB).","code":413}'],
    ["an HTTP 200 with a non-JSON body", 200, "<html>proxy</html>"],
    ["an HTTP 200 with an unexpected JSON value", 200, "[]"],
    ["HTTP 413", 413, '{"error":"too big"}'],
    ["HTTP 500", 500, "boom"],
  ])("rejects with RealtimePublishError on %s", async (_label, status, body) => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    fake.broker.setMode({ kind: "reply", status, body });
    const err = await publishInvalidate(notificationsSignal(U(1))).delivered().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RealtimePublishError);
    expect((err as RealtimePublishError).channels).toEqual(users(1));
    expect((err as Error).message).toContain(`private-user.${U(1)}`);
    expect(fake.broker.calls()).toHaveLength(1);
  });

  it("rejects every publication of a triggerBatch that Soketi refused with its HTTP 200 error body, logged once", async () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    fake.broker.setMode(soketiRefusal("Cannot batch-send more than 10 messages at once"));
    const err = await publishInvalidate([1, 2, 3].map((i) => bookmark(6, i))).delivered().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RealtimePublishError);
    expect((err as Error).message).toMatch(new RegExp(`private-user\\.${U(6)}.*Cannot batch-send`));
    expect(fake.broker.batches()).toHaveLength(1);
    expect(error).toHaveBeenCalledTimes(1);
  });

  it("rejects when the broker never answers, at the timeout, with the timeout as the reason", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    vi.useFakeTimers(FAKE_CLOCKS);
    fake.broker.setMode({ kind: "hang" });
    let settled: unknown = null;
    const receipt = publishInvalidate(notificationsSignal(U(1))).delivered().then(
      () => (settled = "resolved"),
      (e: unknown) => (settled = e),
    );
    await untilReal(() => fake.broker.calls().length === 1, "the call reached the broker");
    await vi.advanceTimersByTimeAsync(TIMEOUT_MS - 1);
    await realTick();
    expect(settled).toBeNull();
    await vi.advanceTimersByTimeAsync(1);
    await receipt;
    expect(settled).toBeInstanceOf(RealtimePublishError);
    expect(String(settled)).toMatch(new RegExp(`timed out after ${TIMEOUT_MS}ms`));
  });

  it("rejects an invalid publication before any network call: nothing a subscriber could not use is sent", async () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    const cases: Array<[string[], unknown]> = [
      [["private-user.12"], { scope: "notifications" }],
      [[`private-user.${U(1).toUpperCase()}`], { scope: "notifications" }],
      [[], { scope: "notifications" }],
      [users(1), { scope: "no-such-scope" }],
      [users(1), { scope: "comments", ids: { resource_id: ARTICLE, resource_type: "ARTICLE" } }],
      [[profileChannel(U(1))], { scope: "notifications" }],
      [[resourceChannel("ARTICLE", ARTICLE)], { scope: "comments" }],
      [[resourceChannel("ARTICLE", ARTICLE)], { scope: "comments", ids: { resource_id: 12, resource_type: "ARTICLE" } }],
      [users(1), { scope: "bookmarks", ids: { resource_id: ARTICLE, note: "x".repeat(2000) } }],
    ];
    for (const [channels, signal] of cases) {
      const receipt = publishInvalidate({ channels, signal } as never);
      expect(receipt.signals, JSON.stringify([channels, signal])).toEqual([]);
      await expect(receipt.delivered(), JSON.stringify([channels, signal])).rejects.toBeInstanceOf(RealtimePublishError);
    }
    await expect(publishInvalidate(notificationsSignal(U(1)), { socketId: "abc" }).delivered()).rejects.toThrow(/socketId/);
    // One valid publication in a list does not carry an invalid one through.
    await expect(publishInvalidate([notificationsSignal(U(1)), { channels: ["tag.1"], signal: { scope: "tag-articles" } } as never]).delivered()).rejects.toThrow(
      RealtimePublishError,
    );
    expect(error).toHaveBeenCalledTimes(cases.length + 2);
    expect(request.afterQueue).toHaveLength(0);
    expect(fake.broker.calls()).toHaveLength(0);
    // The same path does deliver a valid publication.
    await publishInvalidate(notificationsSignal(U(1))).delivered();
    expect(fake.broker.calls()).toHaveLength(1);
  });

  it("batches a list like a request's publications", async () => {
    await publishInvalidate([
      ...Array.from({ length: 12 }, (_, i) => bookmark(4, i + 1)),
      notify(users(120, 100)),
      bookmark(4, 1),
    ]).delivered();
    expect(fake.broker.triggers().map((t) => t.channels.length).sort((a, b) => a - b)).toEqual([20, 100]);
    expect(fake.broker.batches().map((b) => b.batch.length)).toEqual([10, 2]);
    await expect(publishInvalidate([]).delivered()).resolves.toBeUndefined();
  });

  it("packs concurrent callers' single signals into shared triggerBatch calls", async () => {
    await Promise.all(Array.from({ length: 30 }, (_, i) => publishInvalidate(bookmark(8, i + 1)).delivered()));
    expect(fake.broker.batches().map((b) => b.batch.length)).toEqual([10, 10, 10]);
    expect(fake.broker.triggers()).toHaveLength(0);
  });
});

describe("receipt.signals: what the writer's own tab applies", () => {
  it("lists each accepted signal once, whatever channels it went to and in whatever order its ids were given", () => {
    const comments = commentThreadSignal({ resource_type: "ARTICLE", resource_id: ARTICLE });
    const receipt = publishInvalidate([
      notificationsSignal(U(1)),
      notificationsSignal(U(2)),
      comments,
      { channels: comments.channels, signal: { scope: "comments", ids: { resource_type: "ARTICLE", resource_id: ARTICLE } } },
      bookmark(1, 1),
      bookmark(1, 1),
    ]);
    expect(receipt.signals).toEqual([{ scope: "notifications" }, comments.signal, bookmark(1, 1).signal]);
  });

  it("without a broker: a no-op that resolves and still returns the signals", async () => {
    const info = vi.spyOn(console, "info").mockImplementation(() => {});
    setBrokerEnv({});
    expect(realtime.broker()).toBeNull();
    const awaited = publishInvalidate(notificationsSignal(U(1)));
    expect(awaited.signals).toEqual([{ scope: "notifications" }]);
    await expect(awaited.delivered()).resolves.toBeUndefined();
    const result = await action(() => void publishInvalidate([bookmark(1, 1), bookmark(1, 1)]));
    expect(result).toEqual({ ok: true, data: undefined, signals: [bookmark(1, 1).signal] });
    await flushAfter();
    expect(fake.broker.requests).toHaveLength(0);
    // Said at most once per process (the first time the broker was found missing).
    expect(info.mock.calls.filter((c) => /realtime.*off/i.test(String(c[0]))).length).toBeLessThanOrEqual(1);

    // With a broker again, the same publication is delivered.
    setBrokerEnv(fake.broker.env);
    await publishInvalidate(notificationsSignal(U(1))).delivered();
    expect(fake.broker.calls()).toHaveLength(1);
  });
});

describe("outside an action (route handlers, scripts)", () => {
  it("publications of one synchronous run share one send, started at once, and nobody is excluded by the header", async () => {
    nextRequest({ "x-socket-id": "123.456" });
    const receipt = publishInvalidate(notificationsSignal(U(1)));
    publishInvalidate(bookmark(1, 1));
    expect(receipt.signals).toEqual([{ scope: "notifications" }]);
    expect(request.afterQueue).toHaveLength(1); // holds the send past the response
    await untilReal(() => fake.broker.calls().length === 1, "the send reached the broker without after()");
    await flushAfter();
    expect(fake.broker.calls()).toHaveLength(1);
    expect(fake.broker.deliveries()).toEqual(
      [`- ${userChannel(U(1))} ${NOTIFICATIONS}`, `- ${userChannel(U(1))} {"scope":"bookmarks","ids":{"resource_id":"${uuid("article-1")}"}}`].sort(),
    );
  });

  it("publications of different turns are separate sends, each started at once and held by its own request", async () => {
    nextRequest();
    publishInvalidate(notificationsSignal(U(1)));
    expect(request.afterQueue).toHaveLength(1);
    await untilReal(() => fake.broker.calls().length === 1, "the first send");
    nextRequest();
    publishInvalidate(notificationsSignal(U(2)));
    expect(request.afterQueue).toHaveLength(1);
    await untilReal(() => fake.broker.calls().length === 2, "the second send");
    expect(fake.broker.deliveries()).toEqual([`- ${userChannel(U(1))} ${NOTIFICATIONS}`, `- ${userChannel(U(2))} ${NOTIFICATIONS}`].sort());
    await flushAfter();
    expect(fake.broker.calls()).toHaveLength(2);
  });

  it("an explicit socketId excludes that connection", async () => {
    publishInvalidate(notify(users(2)), { socketId: "5.6" });
    await flushAfter();
    expect(fake.broker.triggers()).toEqual([expect.objectContaining({ channels: users(2), socket_id: "5.6" })]);
  });

  it("without after() (no request at all) still merges what one turn publishes, and sends it", async () => {
    const nextServer = await import("next/server");
    vi.spyOn(nextServer, "after").mockImplementation(() => {
      throw new Error("`after` was called outside a request scope");
    });
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    for (let i = 1; i <= 12; i++) expect(() => publishInvalidate(bookmark(5, i)).delivered()).not.toThrow();
    expect(fake.broker.calls()).toHaveLength(0);
    await vi.waitFor(() => expect(fake.broker.batches().flatMap((b) => b.batch)).toHaveLength(12));
    expect(fake.broker.batches().map((b) => b.batch.length)).toEqual([10, 2]);
    expect(error).not.toHaveBeenCalled();
  });
});
