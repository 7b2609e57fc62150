import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { MAX_FAILED_FIRES, createThrottle } from "@/lib/realtime/server/throttle";
import { createRealtimeServer } from "@/lib/realtime/server";
import { articleFeedChannel, tagChannel, userChannel } from "@/backend/realtime/channels";
import { HOME_FEED_WINDOW_MS, scopes, type AppPublication } from "@/backend/realtime/scopes";
import { notificationsSignal } from "@/backend/realtime/signals";
import { flushAfter, request, resetRequest } from "../../helpers/next-request";
import { uuid } from "../../helpers/uuids";

/**
 * The leading + trailing throttle of scopes with `throttleMs` (the home feed), on fake timers: it reads the global
 * setTimeout, so the test moves time by hand and every fire time is exact.
 */
let t0 = 0;
const now = () => Date.now() - t0;

beforeEach(() => {
  vi.useFakeTimers();
  t0 = Date.now();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("throttle policy", () => {
  it("fires at once when idle, then at most once per window, coalescing everything in between", async () => {
    const fires: number[] = [];
    const idle = vi.fn();
    const throttle = createThrottle({ windowMs: 1000, fire: () => void fires.push(now()), onIdle: idle });

    // 50 requests over 2 s (one every 40 ms).
    for (let i = 0; i < 50; i++) {
      throttle.request();
      await vi.advanceTimersByTimeAsync(40);
    }
    await vi.advanceTimersByTimeAsync(5000);
    expect(fires).toEqual([0, 1000, 2000]);
    // Never two fires in one window.
    for (let i = 1; i < fires.length; i++) expect(fires[i] - fires[i - 1]).toBeGreaterThanOrEqual(1000);
    expect(throttle.state()).toBe("idle");
    expect(idle).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("never loses the last request: one made late in a window gets its own trailing fire", async () => {
    const fires: number[] = [];
    const throttle = createThrottle({ windowMs: 1000, fire: () => void fires.push(now()) });
    throttle.request();
    expect(throttle.state()).toBe("cooling");
    await vi.advanceTimersByTimeAsync(999);
    throttle.request();
    throttle.request();
    expect(throttle.state()).toBe("pending");
    expect(fires).toEqual([0]);
    await vi.advanceTimersByTimeAsync(1);
    expect(fires).toEqual([0, 1000]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(fires).toEqual([0, 1000]);
    expect(throttle.state()).toBe("idle");
    // After a quiet window the next request is leading again.
    await vi.advanceTimersByTimeAsync(1234);
    throttle.request();
    expect(fires).toEqual([0, 1000, 3234]);
  });

  it("retries a failed fire in the next window, a bounded number of times", async () => {
    const errors: unknown[] = [];
    const fires: number[] = [];
    const throttle = createThrottle({
      windowMs: 1000,
      onError: (e) => errors.push(e),
      fire: () => {
        fires.push(now());
        return Promise.reject(new Error("broker down"));
      },
    });
    throttle.request();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(fires).toEqual(Array.from({ length: MAX_FAILED_FIRES }, (_, i) => i * 1000));
    expect(errors).toHaveLength(MAX_FAILED_FIRES);
    expect(throttle.state()).toBe("idle");

    // A success resets the count.
    let ok = 0;
    const recovering = createThrottle({
      windowMs: 1000,
      fire: () => (++ok === 1 ? Promise.reject(new Error("once")) : Promise.resolve()),
    });
    recovering.request();
    await vi.advanceTimersByTimeAsync(5000);
    expect(ok).toBe(2);
  });

  it("a failure that lands after its window closed still waits a whole window before the retry", async () => {
    const fires: number[] = [];
    const throttle = createThrottle({
      windowMs: 1000,
      fire: () => {
        fires.push(now());
        // The first fire fails late (a broker slower than the window); the retry succeeds.
        return fires.length === 1 ? new Promise<void>((_, reject) => setTimeout(() => reject(new Error("timed out")), 1500)) : undefined;
      },
    });
    throttle.request();
    await vi.advanceTimersByTimeAsync(1500);
    expect(fires).toEqual([0]);
    expect(throttle.state()).toBe("pending");
    await vi.advanceTimersByTimeAsync(999);
    expect(fires).toEqual([0]);
    await vi.advanceTimersByTimeAsync(1);
    expect(fires).toEqual([0, 2500]);
  });

  it("a synchronous throw is a failure too, and dispose drops what is pending", async () => {
    let calls = 0;
    const throttle = createThrottle({
      windowMs: 1000,
      fire: () => {
        calls++;
        throw new Error("boom");
      },
    });
    throttle.request();
    expect(calls).toBe(1);
    expect(throttle.state()).toBe("pending");
    throttle.dispose();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(5000);
    expect(calls).toBe(1);
    throttle.request();
    expect(calls).toBe(1);
    expect(throttle.state()).toBe("idle");
  });
});

/**
 * The scope registry's `throttleMs` applied by the publisher: every publication of the home feed's scope goes
 * through a throttle per (channel, signal) and process, not through the request's outbox. A realtime server of its
 * own (clean throttles) whose REST client is stubbed, so fire times are exact on the fake clock.
 */
describe("the throttled article-feed scope through publishInvalidate", () => {
  const W = HOME_FEED_WINDOW_MS;
  const FEED = articleFeedChannel();
  const HOME = '{"scope":"article-feed"}';
  const home: AppPublication = { channels: [FEED], signal: { scope: "article-feed" } };
  const tag = (id: string): AppPublication => ({ channels: [tagChannel(id)], signal: { scope: "tag-articles", ids: { tag_id: id } } });
  type Sent = { at: number; channel: string; data: string; socketId?: string };

  let rt: ReturnType<typeof createRealtimeServer<typeof scopes>>;
  let sent: Sent[];
  const feedFires = () => sent.filter((s) => s.channel === FEED && s.data === HOME).map((s) => s.at);

  /** `answer(n)` decides the n-th broker call's fate (default: accepted at once). */
  function start({ timeoutMs = 2_000, answer = () => Promise.resolve() }: { timeoutMs?: number; answer?: (n: number) => Promise<void> } = {}) {
    rt = createRealtimeServer({ scopes, broker: () => ({ appId: "t", key: "k", secret: "s", host: "127.0.0.1", port: 9, timeoutMs }) });
    sent = [];
    const rest = rt.broker()!.rest;
    let n = 0;
    const reply = async () => {
      await answer(n++);
      return { status: 200, text: async () => '{"ok":true}' };
    };
    vi.spyOn(rest, "trigger").mockImplementation(((channels: string | string[], _event: string, data: unknown, params?: { socket_id?: string }) => {
      for (const channel of [channels].flat()) sent.push({ at: now(), channel, data: String(data), socketId: params?.socket_id });
      return reply();
    }) as never);
    vi.spyOn(rest, "triggerBatch").mockImplementation(((events: Array<{ channel: string; data: unknown; socket_id?: string }>) => {
      for (const e of events) sent.push({ at: now(), channel: e.channel, data: String(e.data), socketId: e.socket_id });
      return reply();
    }) as never);
  }
  afterEach(() => {
    rt?.dispose();
    vi.restoreAllMocks();
    resetRequest();
  });

  /** `count` requests, one every `everyMs`, each its own publishInvalidate (as separate requests would). */
  async function requests(count: number, everyMs: number, pubs: () => AppPublication[]) {
    for (let i = 0; i < count; i++) {
      rt.publishInvalidate(pubs());
      await vi.advanceTimersByTimeAsync(everyMs);
    }
  }

  it("50 publishes in 2 s: one signal at once, one when the window closes (the last publish is followed by a signal)", async () => {
    start();
    await requests(50, 40, () => [home]);
    expect(feedFires()).toEqual([0]);
    await vi.advanceTimersByTimeAsync(W - 2_000 - 1);
    expect(feedFires()).toEqual([0]);
    await vi.advanceTimersByTimeAsync(1);
    expect(feedFires()).toEqual([0, W]);
    // Nothing pending any more: the window after the trailing signal closes quietly.
    await vi.advanceTimersByTimeAsync(3 * W);
    expect(feedFires()).toEqual([0, W]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("a steady stream gets at most one signal per window, and a signal after the last publish", async () => {
    start();
    const count = Math.round((2.4 * W) / 40);
    await requests(count, 40, () => [home]);
    await vi.advanceTimersByTimeAsync(3 * W);
    const fires = feedFires();
    expect(fires).toEqual([0, W, 2 * W, 3 * W]);
    expect(fires.at(-1)).toBeGreaterThan((count - 1) * 40);
  });

  it("does not throttle the narrow feeds published with it, nor another signal on the feed channel", async () => {
    start();
    const tagId = uuid("tag");
    for (let i = 0; i < 5; i++) {
      rt.publishInvalidate([home, tag(tagId), { channels: [FEED], signal: { scope: "article-feed", ids: { marker: i + 1 } } } as never]);
      await flushAfter();
      await vi.advanceTimersByTimeAsync(100);
    }
    expect(sent.filter((s) => s.channel === tagChannel(tagId))).toHaveLength(5);
    // Each differently tagged signal on the feed channel has a throttle of its own: five leading fires.
    expect(sent.filter((s) => s.channel === FEED && s.data !== HOME)).toHaveLength(5);
    expect(feedFires()).toEqual([0]);
  });

  it("in a server action: sent at once rather than after the response, to everyone, and its receipt settles at once", async () => {
    start();
    request.headers = new Headers({ "x-socket-id": "1.1" });
    const { value, signals } = await rt.collectSignals(async () => {
      const receipt = rt.publishInvalidate([home, notificationsSignal(uuid("alice"))]);
      await vi.advanceTimersByTimeAsync(0);
      // Both while the action runs: the throttle's leading signal, and the action's outbox (sent at commit).
      expect(sent.map((s) => s.channel)).toEqual([FEED, userChannel(uuid("alice"))]);
      return receipt.signals;
    });
    expect(value).toEqual([{ scope: "article-feed" }, { scope: "notifications" }]);
    expect(signals).toEqual(value);
    // The home feed's signal excluded nobody; the action's other publication went with its outbox, excluding the tab.
    await flushAfter();
    expect(sent.map((s) => `${s.socketId ?? "-"} ${s.channel}`)).toEqual([`- ${FEED}`, `1.1 ${userChannel(uuid("alice"))}`]);
    await expect(rt.publishInvalidate(home).delivered()).resolves.toBeUndefined();
  });

  it("dispose() drops a pending trailing signal, and the next publish is leading again", async () => {
    start();
    await requests(3, 40, () => [home]);
    rt.dispose();
    await vi.advanceTimersByTimeAsync(2 * W);
    expect(feedFires()).toEqual([0]);
    rt.publishInvalidate(home);
    await vi.advanceTimersByTimeAsync(0);
    expect(feedFires()).toEqual([0, 2 * W + 120]);
  });

  it("retries a failed signal in the next window", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    start({ answer: (n) => (n === 0 ? Promise.reject(new Error("boom")) : Promise.resolve()) });
    rt.publishInvalidate(home);
    await vi.advanceTimersByTimeAsync(3 * W);
    expect(feedFires()).toEqual([0, W]);
  });

  // The sender logs each failed call once; the throttle that retries it adds no second line.
  it("logs a failed signal once, like every other publish", async () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    start({ answer: () => Promise.reject(new Error("connect ECONNREFUSED")) });
    rt.publishInvalidate(home);
    await vi.advanceTimersByTimeAsync(0);
    expect(feedFires()).toEqual([0]);
    expect(error.mock.calls.map((c) => String(c[0]))).toEqual([expect.stringMatching(/feed\.articles failed: .*ECONNREFUSED/)]);
  });

  // A fire can outlast its window (a broker timeout longer than the window): the throttle stays until it settles,
  // so a publish meanwhile joins it instead of starting a second throttle for the same channel and signal.
  it("keeps one signal per window even when the broker's timeout is longer than the window", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    // The first call hangs until the timeout (2 windows); every later one is accepted.
    start({ timeoutMs: 2 * W, answer: (n) => (n === 0 ? new Promise<void>(() => {}) : Promise.resolve()) });
    rt.publishInvalidate(home); // fires at 0, fails at 2W, retried a window later (3W)
    await vi.advanceTimersByTimeAsync(2 * W + 1_000);
    rt.publishInvalidate(home); // a publish while that retry waits: it should join it
    await vi.advanceTimersByTimeAsync(3 * W);
    const fires = feedFires();
    for (let i = 1; i < fires.length; i++) expect(fires[i] - fires[i - 1], `fires at ${fires.join(", ")}`).toBeGreaterThanOrEqual(W);
  });
});
