import { describe, expect, it } from "vitest";
import { MAX_FAILED_FIRES, createThrottle, type ThrottleClock } from "@/backend/realtime/home-feed-throttle";

/** A clock the test moves by hand: timers run only inside advance(), in time order. */
function manualClock() {
  let now = 0;
  let nextId = 1;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const clock: ThrottleClock = {
    setTimeout(fn, ms) {
      const id = nextId++;
      timers.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimeout: (id) => void timers.delete(id as number),
  };
  return {
    clock,
    now: () => now,
    pendingTimers: () => timers.size,
    async advance(ms: number) {
      const until = now + ms;
      for (;;) {
        const due = [...timers].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].fn();
        await Promise.resolve(); // let a fire's promise settle like it would between timer ticks
      }
      now = until;
    },
  };
}

describe("home feed throttle policy", () => {
  it("fires at once when idle, then at most once per window, coalescing everything in between", async () => {
    const t = manualClock();
    const fires: number[] = [];
    const throttle = createThrottle({ windowMs: 1000, clock: t.clock, fire: () => void fires.push(t.now()) });

    // 50 requests over 2 s (one every 40 ms).
    for (let i = 0; i < 50; i++) {
      throttle.request();
      await t.advance(40);
    }
    await t.advance(5000);
    expect(fires).toEqual([0, 1000, 2000]);
    // Never two fires in one window.
    for (let i = 1; i < fires.length; i++) expect(fires[i] - fires[i - 1]).toBeGreaterThanOrEqual(1000);
    expect(throttle.state()).toBe("idle");
    expect(t.pendingTimers()).toBe(0);
  });

  it("never loses the last request: one made late in a window gets its own trailing fire", async () => {
    const t = manualClock();
    const fires: number[] = [];
    const throttle = createThrottle({ windowMs: 1000, clock: t.clock, fire: () => void fires.push(t.now()) });
    throttle.request();
    await t.advance(999);
    throttle.request();
    expect(throttle.state()).toBe("pending");
    await t.advance(1);
    expect(fires).toEqual([0, 1000]);
    await t.advance(1000);
    expect(fires).toEqual([0, 1000]);
    expect(throttle.state()).toBe("idle");
    // After a quiet window the next request is leading again.
    await t.advance(1234);
    throttle.request();
    expect(fires).toEqual([0, 1000, 3234]);
  });

  it("retries a failed fire in the next window, a bounded number of times", async () => {
    const t = manualClock();
    const errors: unknown[] = [];
    let calls = 0;
    const throttle = createThrottle({
      windowMs: 1000,
      clock: t.clock,
      onError: (e) => errors.push(e),
      fire: () => {
        calls++;
        return Promise.reject(new Error("broker down"));
      },
    });
    throttle.request();
    await t.advance(10_000);
    expect(calls).toBe(MAX_FAILED_FIRES);
    expect(errors).toHaveLength(MAX_FAILED_FIRES);
    expect(throttle.state()).toBe("idle");

    // A success resets the count.
    let ok = 0;
    const recovering = createThrottle({
      windowMs: 1000,
      clock: t.clock,
      fire: () => (++ok === 1 ? Promise.reject(new Error("once")) : Promise.resolve()),
    });
    recovering.request();
    await t.advance(5000);
    expect(ok).toBe(2);
  });

  it("a synchronous throw is a failure too, and dispose drops what is pending", async () => {
    const t = manualClock();
    let calls = 0;
    const throttle = createThrottle({
      windowMs: 1000,
      clock: t.clock,
      fire: () => {
        calls++;
        throw new Error("boom");
      },
    });
    throttle.request();
    expect(calls).toBe(1);
    expect(throttle.state()).toBe("pending");
    throttle.dispose();
    await t.advance(5000);
    expect(calls).toBe(1);
    throttle.request();
    expect(calls).toBe(1);
  });
});
