/**
 * Per-key refetch coalescing, Replicache's connection loop in miniature:
 *
 *   idle ──run──▶ running ──settled──▶ cooling ──window over, nothing queued──▶ idle
 *                   ▲                     │ run() while running or cooling: queue (the latest task wins)
 *                   └──window over────────┘ one trailing run
 *
 * The first run after a quiet window starts at once, so the first signal of a burst costs no latency. Everything
 * arriving while a run is in flight or cooling collapses into ONE trailing run, started only after the previous one
 * settled and at least `windowMs` after it started: a burst shorter than the window costs at most two runs, and
 * the trailing run starts after the last signal of the burst, so it reads the last write.
 */
export type CoalescePolicy = {
  /** Minimum spacing between the starts of two runs for one key. */
  windowMs: number;
};

export const COALESCE_POLICY: CoalescePolicy = { windowMs: 1000 };
/** For tests: still one run in flight plus one trailing, but the trailing run starts as soon as the first settles. */
export const IMMEDIATE_COALESCE_POLICY: CoalescePolicy = { windowMs: 0 };

export interface Coalescer {
  run(key: string, task: () => Promise<unknown>): void;
  /** Drops queued runs and timers; runs in flight finish on their own. */
  dispose(): void;
}

type Slot = {
  running: boolean;
  startedAt: number;
  queued: (() => Promise<unknown>) | null;
  timer: ReturnType<typeof setTimeout> | null;
};

export function createCoalescer(policy: CoalescePolicy = COALESCE_POLICY): Coalescer {
  const slots = new Map<string, Slot>();
  let disposed = false;

  const start = (key: string, slot: Slot, task: () => Promise<unknown>) => {
    slot.running = true;
    slot.startedAt = Date.now();
    void Promise.resolve()
      .then(task)
      .catch(() => {}) // a failed refetch is the query's own error state; the next signal tries again
      .finally(() => {
        slot.running = false;
        if (disposed) return;
        const wait = Math.max(0, slot.startedAt + policy.windowMs - Date.now());
        slot.timer = setTimeout(() => cooled(key, slot), wait);
      });
  };

  const cooled = (key: string, slot: Slot) => {
    slot.timer = null;
    const task = slot.queued;
    slot.queued = null;
    if (task) start(key, slot, task);
    else slots.delete(key);
  };

  return {
    run(key, task) {
      if (disposed) return;
      const slot = slots.get(key);
      if (slot) {
        slot.queued = task;
        return;
      }
      const fresh: Slot = { running: false, startedAt: 0, queued: null, timer: null };
      slots.set(key, fresh);
      start(key, fresh, task);
    },
    dispose() {
      disposed = true;
      for (const slot of slots.values()) if (slot.timer) clearTimeout(slot.timer);
      slots.clear();
    },
  };
}
