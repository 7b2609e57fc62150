import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { COALESCE_POLICY, createCoalescer, IMMEDIATE_COALESCE_POLICY, JOINED } from "@/lib/realtime/client/invalidator";

/** Tasks that record when they started and finish when the test says so (or after `durationMs` of fake time). */
function tasks() {
  const started: Array<{ label: string; at: number; finish: () => void }> = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const make = (label: string, durationMs?: number) => () =>
    new Promise<void>((resolve) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const finish = () => {
        inFlight--;
        resolve();
      };
      started.push({ label, at: Date.now(), finish });
      if (durationMs !== undefined) setTimeout(finish, durationMs);
    });
  return { started, make, maxInFlight: () => maxInFlight };
}

const flush = () => vi.advanceTimersByTimeAsync(0);
const GAP = COALESCE_POLICY.minGapMs;

describe("coalescer (policy unit, fake timers)", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("the first signal on an idle key starts its run at once, in the same task", () => {
    const c = createCoalescer();
    const { started, make } = tasks();
    expect(c.run("k", make("first"))).toBe(true);
    expect(started.map((s) => s.label)).toEqual(["first"]); // synchronously: no timer, no microtask
  });

  it("one run in flight per key: a burst while it runs waits for it however long it takes, then runs once, the latest task", async () => {
    const c = createCoalescer();
    const { started, make, maxInFlight } = tasks();
    c.run("k", make("first"));
    for (let i = 1; i <= 99; i++) expect(c.run("k", make(`signal-${i}`))).toBe(false);
    await vi.advanceTimersByTimeAsync(5000);
    expect(started).toHaveLength(1); // nothing overlaps the run in flight
    const settledAt = Date.now();
    started[0].finish();
    await flush();
    expect(started.map((s) => s.label)).toEqual(["first", "signal-99"]);
    expect(started[1].at).toBe(settledAt); // the queued run starts as soon as the one in flight settled
    started[1].finish();
    await vi.advanceTimersByTimeAsync(5000);
    expect(started).toHaveLength(2);
    expect(maxInFlight()).toBe(1);
  });

  it("a queued run waits out the minimum gap only when the run before it was quicker than the gap", async () => {
    const c = createCoalescer();
    const { started, make } = tasks();
    const t0 = Date.now();
    c.run("k", make("quick", 10));
    c.run("k", make("queued"));
    await vi.advanceTimersByTimeAsync(GAP - 1);
    expect(started).toHaveLength(1); // settled after 10 ms, but the gap is not over
    await vi.advanceTimersByTimeAsync(1);
    expect(started.map((s) => [s.label, s.at - t0])).toEqual([
      ["quick", 0],
      ["queued", GAP],
    ]);
  });

  it("a lively thread (a signal every 300 ms, refetches of 150 ms) never waits: each signal starts its refetch on arrival", async () => {
    const c = createCoalescer();
    const { started, make } = tasks();
    const arrivals: number[] = [];
    for (let i = 0; i < 6; i++) {
      arrivals.push(Date.now());
      expect(c.run("thread", make(`comment-${i}`, 150))).toBe(true);
      await vi.advanceTimersByTimeAsync(300);
    }
    expect(started.map((s) => s.at)).toEqual(arrivals);
  });

  it.each([0, 20, 80, 250])("a storm of 100 signals for one key within 300 ms costs at most 5 refetches, never two in flight (refetch of %i ms)", async (durationMs) => {
    const c = createCoalescer();
    const { started, make, maxInFlight } = tasks();
    for (let i = 0; i < 100; i++) {
      c.run("k", make(`signal-${i}`, durationMs));
      await vi.advanceTimersByTimeAsync(3); // 100 signals over 300 ms
    }
    const lastSignalAt = Date.now() - 3;
    await vi.advanceTimersByTimeAsync(5000);
    expect(started.length).toBeGreaterThanOrEqual(2);
    expect(started.length).toBeLessThanOrEqual(5);
    expect(maxInFlight()).toBe(1);
    expect(started.at(-1)!.label).toBe("signal-99"); // the last run reads the last write
    expect(started.at(-1)!.at).toBeGreaterThanOrEqual(lastSignalAt);
  });

  it("keys are independent, and a key is idle again once its gap passed with nothing queued", async () => {
    const c = createCoalescer({ minGapMs: 1000 });
    const { started, make } = tasks();
    c.run("a", make("a1"));
    c.run("b", make("b1"));
    await flush();
    expect(started.map((s) => s.label)).toEqual(["a1", "b1"]);
    started.forEach((s) => s.finish());
    await vi.advanceTimersByTimeAsync(400);
    c.run("a", make("a2")); // inside a's gap: deferred to its end
    await flush();
    expect(started).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(600);
    expect(started.map((s) => s.label)).toEqual(["a1", "b1", "a2"]);
    await vi.advanceTimersByTimeAsync(2000);
    c.run("b", make("b2")); // b has been idle for longer than the gap: immediate
    expect(started.at(-1)!.label).toBe("b2");
  });

  it("the immediate policy still never overlaps runs of one key, and runs the queued one as soon as the first settles", async () => {
    const c = createCoalescer(IMMEDIATE_COALESCE_POLICY);
    const { started, make } = tasks();
    c.run("k", make("1"));
    c.run("k", make("2"));
    c.run("k", make("3"));
    await flush();
    expect(started.map((s) => s.label)).toEqual(["1"]);
    started[0].finish();
    await flush();
    await flush();
    expect(started.map((s) => s.label)).toEqual(["1", "3"]);
  });

  it("a run that only joined work in flight is followed by one run as soon as it settled, not after the gap", async () => {
    const c = createCoalescer({ minGapMs: 1000 });
    const outcomes: unknown[] = [JOINED, undefined];
    const starts: number[] = [];
    const finishers: Array<() => void> = [];
    const task = () =>
      new Promise((resolve) => {
        starts.push(Date.now());
        const outcome = outcomes.shift();
        finishers.push(() => resolve(outcome));
      });
    const t0 = Date.now();
    c.run("k", task);
    expect(starts).toHaveLength(1); // started synchronously, in the task that received the signal
    await vi.advanceTimersByTimeAsync(100);
    finishers[0](); // the joined fetch settles (with an answer that may predate the signal)
    await flush();
    expect(starts).toHaveLength(2);
    expect(starts[1] - t0).toBeLessThan(1000);
    finishers[1]();
    await vi.advanceTimersByTimeAsync(5000);
    expect(starts).toHaveLength(2); // a fresh run does not repeat itself
  });

  it("a failing task does not wedge its key; dispose drops what is queued", async () => {
    const c = createCoalescer({ minGapMs: 100 });
    let calls = 0;
    c.run("k", async () => {
      calls++;
      throw new Error("refetch failed");
    });
    c.run("k", async () => void calls++);
    await vi.advanceTimersByTimeAsync(200);
    expect(calls).toBe(2);
    c.run("k", async () => void calls++);
    c.run("k", async () => void calls++);
    c.dispose();
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls).toBe(3);
  });
});
