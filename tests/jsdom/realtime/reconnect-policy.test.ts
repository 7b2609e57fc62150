import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { guardReconnects, RECONNECT_POLICY, reconnectStats, type ReconnectPolicy } from "@/lib/realtime/client/reconnect";

describe("reconnect policy (pure)", () => {
  const at = (failures: number, r: number) => RECONNECT_POLICY.delayMs(failures, () => r);

  it("jitters the first reconnect after a drop, and backs off within a bound that keeps short outages short", () => {
    expect(at(0, 0)).toBe(0);
    expect(at(0, 0.999)).toBeLessThan(1000);
    for (let f = 1; f <= 12; f++) {
      expect(at(f, 0.999), `failure ${f}`).toBeLessThanOrEqual(1600);
      expect(at(f, 0)).toBeGreaterThanOrEqual(at(f, 0.999) / 2);
    }
    expect(at(2, 0)).toBeGreaterThan(at(1, 0)); // it does grow
    // Long outages slow down, to one try every 15-30 s.
    expect(at(30, 0)).toBeGreaterThanOrEqual(15_000);
    expect(at(30, 0.999)).toBeLessThanOrEqual(30_000);
  });

  it("spreads a crowd: 1000 tabs dropped together do not retry in the same 100 ms", () => {
    // A fixed pseudo-random sequence (mulberry32), so the spread is the policy's, never the luck of a run.
    let seed = 0x2f6b_1d3a;
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const buckets = new Map<number, number>();
    for (let i = 0; i < 1000; i++) {
      const b = Math.floor(RECONNECT_POLICY.delayMs(0, random) / 100);
      buckets.set(b, (buckets.get(b) ?? 0) + 1);
    }
    expect(Math.max(...buckets.values())).toBeLessThan(250);
  });
});

type Callback = (error: unknown, handshake?: { action?: string; error?: unknown }) => void;

/**
 * A pusher-js 8 connection manager reduced to what the guard drives: a strategy with a WebSocket transport whose
 * attempts the test settles by hand. pusher-js calls strategy.connect() for each attempt and again after a failure.
 */
function fakeManager() {
  const attempts: Array<{ settle: Callback; aborted: boolean }> = [];
  const transport = {
    isSupported: () => true,
    connect(_minPriority: number, settle: Callback) {
      const attempt = { settle, aborted: false };
      attempts.push(attempt);
      return { abort: () => void (attempt.aborted = true), forceMinPriority() {} };
    },
  };
  const inner = { isSupported: () => true, connect: transport.connect, transports: { ws: transport } };
  const manager = { state: "initialized", strategy: inner, usingTLS: false, options: { getStrategy: () => inner } };
  const outcomes: unknown[] = [];
  /** What pusher-js does for each attempt: ask the (guarded) strategy to connect. */
  const connect = () => void manager.strategy.connect(0, (error) => outcomes.push(error ?? "connected"));
  return { pusher: { connection: manager }, attempts, outcomes, connect };
}

describe("the reconnect guard applies its policy (fake timers)", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  // Deterministic: the wait is 1 s per failure counted, plus 100 ms.
  const policy: ReconnectPolicy = { delayMs: (failures) => failures * 1000 + 100, attemptTimeoutMs: 5_000, stableAfterMs: 3_000 };

  it("waits the policy's delay before each retry, abandons an attempt at its timeout, and resets only after a stable connection", async () => {
    const tab = fakeManager();
    const stats = guardReconnects(tab.pusher, policy);
    expect(stats).not.toBeNull();
    expect(reconnectStats(tab.pusher)).toBe(stats);
    expect(guardReconnects(tab.pusher, policy)).toBe(stats); // idempotent

    tab.connect(); // the first connection is not a reconnect: at once
    expect(tab.attempts).toHaveLength(1);
    tab.attempts[0].settle(new Error("refused")); // reported at once, not after pusher-js's 15 s
    expect(tab.outcomes).toHaveLength(1);

    tab.connect(); // one failure: delayMs(1)
    await vi.advanceTimersByTimeAsync(1_099);
    expect(tab.attempts).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(tab.attempts).toHaveLength(2);

    // A black-holed attempt is given up at attemptTimeoutMs and counts as a failure.
    await vi.advanceTimersByTimeAsync(policy.attemptTimeoutMs);
    expect(tab.attempts[1].aborted).toBe(true);
    expect(String(tab.outcomes[1])).toContain(`no connection within ${policy.attemptTimeoutMs} ms`);

    tab.connect(); // two failures: delayMs(2)
    await vi.advanceTimersByTimeAsync(2_100);
    expect(tab.attempts).toHaveLength(3);
    tab.attempts[2].settle(null, { action: "connected" });
    expect(tab.outcomes[2]).toBe("connected");

    // It drops before stableAfterMs (a flapping broker): the count goes on, to 3.
    await vi.advanceTimersByTimeAsync(1_000);
    tab.connect();
    await vi.advanceTimersByTimeAsync(3_099);
    expect(tab.attempts).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(1);
    expect(tab.attempts).toHaveLength(4);
    tab.attempts[3].settle(null, { action: "connected" });

    // This one stays up past stableAfterMs: the next drop starts again at delayMs(0).
    await vi.advanceTimersByTimeAsync(policy.stableAfterMs);
    tab.connect();
    await vi.advanceTimersByTimeAsync(99);
    expect(tab.attempts).toHaveLength(4);
    await vi.advanceTimersByTimeAsync(1);
    expect(tab.attempts).toHaveLength(5);
    expect(stats).toEqual({ attempts: 5, failures: 0 });
  });

  it("an unreadable handshake (pusher-js would wait forever) is a failure that is retried", async () => {
    const tab = fakeManager();
    guardReconnects(tab.pusher, policy);
    tab.connect();
    tab.attempts[0].settle(null, { action: "error", error: "bad handshake" });
    expect(tab.outcomes).toEqual(["bad handshake"]);
    tab.connect();
    await vi.advanceTimersByTimeAsync(1_100); // delayMs(1): it counted as a failure
    expect(tab.attempts).toHaveLength(2);
  });

  it("leaves a test double without pusher-js internals alone", () => {
    expect(guardReconnects({ connection: { state: "connected", bind() {}, unbind() {} } })).toBeNull();
  });
});
