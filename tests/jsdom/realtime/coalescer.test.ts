import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createCoalescer, IMMEDIATE_COALESCE_POLICY, JOINED } from "@/lib/realtime/client/invalidator";

/** A task that records when it started and finishes when the test says so. */
function tasks() {
  const started: Array<{ label: string; at: number; finish: () => void }> = [];
  const make = (label: string) => () =>
    new Promise<void>((resolve) => started.push({ label, at: Date.now(), finish: resolve }));
  return { started, make };
}

const flush = () => vi.advanceTimersByTimeAsync(0);

describe("coalescer (policy unit, fake timers)", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("runs the first call at once, collapses a burst into one trailing run that starts after the window and after the first settled", async () => {
    const c = createCoalescer({ windowMs: 1000 });
    const { started, make } = tasks();
    const t0 = Date.now();
    c.run("k", make("first"));
    await flush();
    expect(started.map((s) => s.label)).toEqual(["first"]); // no added latency for the first signal
    for (let i = 1; i <= 99; i++) c.run("k", make(`signal-${i}`));
    await vi.advanceTimersByTimeAsync(1500);
    expect(started).toHaveLength(1); // the first is still in flight: nothing overlaps it
    started[0].finish();
    await flush();
    expect(started.map((s) => s.label)).toEqual(["first", "signal-99"]); // the latest task, once
    expect(started[1].at - t0).toBeGreaterThanOrEqual(1000);
    started[1].finish();
    await vi.advanceTimersByTimeAsync(5000);
    expect(started).toHaveLength(2);
  });

  it("keys are independent, and a key is idle again once its window passed with nothing queued", async () => {
    const c = createCoalescer({ windowMs: 1000 });
    const { started, make } = tasks();
    c.run("a", make("a1"));
    c.run("b", make("b1"));
    await flush();
    expect(started.map((s) => s.label)).toEqual(["a1", "b1"]);
    started.forEach((s) => s.finish());
    await vi.advanceTimersByTimeAsync(400);
    c.run("a", make("a2")); // inside a's window: deferred to its end
    await flush();
    expect(started).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(600);
    expect(started.map((s) => s.label)).toEqual(["a1", "b1", "a2"]);
    await vi.advanceTimersByTimeAsync(2000);
    c.run("b", make("b2")); // b has been idle for longer than the window: immediate
    await flush();
    expect(started.at(-1)!.label).toBe("b2");
  });

  it("the immediate policy still never overlaps runs of one key, and trails as soon as the run settles", async () => {
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

  it("a run that only joined work in flight is followed by one run as soon as it settled, not after the window", async () => {
    const c = createCoalescer({ windowMs: 1000 });
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
    const c = createCoalescer({ windowMs: 100 });
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
