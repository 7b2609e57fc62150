import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createThrottle, memoryWindowStore, type ThrottleWindowStore, type WindowVerdict } from "@/lib/realtime/server/throttle";

/**
 * The throttle's rule (first at once, one per window, the last request never lost) across app instances: several
 * throttles, one per "instance", share one window store, as instances share the database's. Fake timers: every
 * fire time is exact. The store answers either at once (memory) or a few milliseconds later (as a database does).
 */
let t0 = 0;
const now = () => Date.now() - t0;
beforeEach(() => {
  vi.useFakeTimers();
  t0 = Date.now();
});
afterEach(() => vi.useRealTimers());

/** A shared store answering after `latencyMs`, as a database round trip does. */
function slowStore(store: ThrottleWindowStore, latencyMs: number): ThrottleWindowStore {
  const later = (answer: WindowVerdict | Promise<WindowVerdict>) =>
    new Promise<WindowVerdict>((resolve) => setTimeout(() => resolve(answer), latencyMs));
  return {
    request: (k, w) => later(store.request(k, w)),
    retry: (k, w) => later(store.retry(k, w)),
    windowEnd: (k, w) => later(store.windowEnd(k, w)),
  };
}

function instances(count: number, store: ThrottleWindowStore, windowMs = 1000) {
  const fires: { at: number; by: number }[] = [];
  const throttles = Array.from({ length: count }, (_, by) =>
    createThrottle({ windowMs, key: "feed.articles {\"scope\":\"article-feed\"}", store, fire: () => void fires.push({ at: now(), by }) }),
  );
  return { throttles, fires, times: () => fires.map((f) => f.at) };
}

for (const latency of [0, 7]) {
  const label = latency === 0 ? "a store that answers at once" : `a store that answers in ${latency} ms`;
  const shared = () => (latency === 0 ? memoryWindowStore() : slowStore(memoryWindowStore(), latency));
  const L = latency;

  describe(`two instances sharing ${label}`, () => {
    it("the first request fires at once, wherever it is made; the other instance's requests in the window wait", async () => {
      const { throttles, fires } = instances(2, shared());
      throttles[1].request();
      await vi.advanceTimersByTimeAsync(L);
      expect(fires).toEqual([{ at: L, by: 1 }]);
      throttles[0].request();
      await vi.advanceTimersByTimeAsync(500);
      expect(fires).toHaveLength(1);
    });

    it("requests alternating between instances for 3 s: one fire per window for both together, the last one followed by a fire", async () => {
      const { throttles, times } = instances(2, shared());
      let last = 0;
      for (let i = 0; i < 75; i++) {
        last = now();
        throttles[i % 2].request();
        await vi.advanceTimersByTimeAsync(40);
      }
      await vi.advanceTimersByTimeAsync(5000);
      const fires = times();
      for (let i = 1; i < fires.length; i++) expect(fires[i] - fires[i - 1], fires.join(", ")).toBeGreaterThanOrEqual(1000);
      expect(fires.length).toBeLessThanOrEqual(4);
      expect(fires.at(-1)).toBeGreaterThan(last);
      for (const t of throttles) expect(t.state()).toBe("idle");
      expect(vi.getTimerCount()).toBe(0);
    });

    it("a request on instance B late in instance A's window gets the trailing fire, sent once", async () => {
      const { throttles, fires } = instances(3, shared());
      throttles[0].request();
      await vi.advanceTimersByTimeAsync(990);
      throttles[1].request();
      throttles[2].request();
      await vi.advanceTimersByTimeAsync(10 + 3 * L);
      expect(fires).toHaveLength(2);
      expect(fires[1].at - fires[0].at).toBeGreaterThanOrEqual(1000);
      await vi.advanceTimersByTimeAsync(3000);
      expect(fires).toHaveLength(2);
    });

    it("three instances requesting at the same moment: one leading fire", async () => {
      const { throttles, fires } = instances(3, shared());
      throttles.forEach((t) => t.request());
      await vi.advanceTimersByTimeAsync(L + 1);
      expect(fires).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(3000);
      // Each of the later two was merged into the window: one trailing fire for both.
      expect(fires).toHaveLength(2);
    });
  });
}

describe("a failing window store", () => {
  it("costs a duplicate signal, never a lost one: the throttle fires on its own and says why", async () => {
    const storeErrors: unknown[] = [];
    const fires: number[] = [];
    const broken: ThrottleWindowStore = {
      request: () => Promise.reject(new Error("database unreachable")),
      retry: () => Promise.reject(new Error("database unreachable")),
      windowEnd: () => Promise.reject(new Error("database unreachable")),
    };
    const throttle = createThrottle({ windowMs: 1000, store: broken, fire: () => void fires.push(now()), onStoreError: (e) => storeErrors.push(e) });
    throttle.request();
    await vi.advanceTimersByTimeAsync(0);
    throttle.request();
    await vi.advanceTimersByTimeAsync(0);
    expect(fires).toEqual([0, 0]);
    expect(storeErrors).toHaveLength(2);
    expect(throttle.state()).toBe("idle");
  });
});
