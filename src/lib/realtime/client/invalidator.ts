import { hashKey, type Query, type QueryClient, type QueryKey } from "@tanstack/react-query";

/**
 * Per-key refetch coalescing, Replicache's pull loop in miniature:
 *
 *   idle ──run──▶ running ──settled──▶ spacing ──gap over, nothing queued──▶ idle
 *                   ▲                     │ run() while running or spacing: queue (the latest task wins)
 *                   └──gap over───────────┘ the queued run
 *
 * The first run on an idle key starts at once, so the first signal costs no latency. Everything arriving while a
 * run is in flight collapses into ONE queued run, which starts as soon as the run in flight settled, but never
 * less than `minGapMs` after that run started. A lively thread (a signal every few hundred milliseconds) therefore
 * refetches once per signal without waiting; a storm costs at most one run per gap plus one trailing run: 100
 * signals within 300 ms cost at most 300 / 100 + 2 = 5 runs even when each refetch is instant, and a slower
 * refetch only lowers that. The queued run starts after the last signal it absorbed, so it reads the last write.
 * (A 1 s window used to hold back every comment of a conversation after the first; Turbo's 150 ms stream
 * debounce and Replicache's pull loop, one pull in flight plus one pending, are the anchors.)
 *
 * A run that only joined work already in flight when it started (TanStack dedupes an invalidation onto a query's
 * first fetch, or any fetch of a query without data, instead of restarting it) reports JOINED: that work may
 * have been computed before the signal, so the coalescer queues one more run that starts as soon as it settled,
 * without waiting out the gap (the joined run caused no read of its own). Either way, after every run() at least
 * one run starts after it, and a key never has more than one run in flight plus one queued.
 */
export type CoalescePolicy = {
  /** Minimum spacing between the starts of two runs for one key; only a storm of signals ever waits for it. */
  minGapMs: number;
};

export const COALESCE_POLICY: CoalescePolicy = { minGapMs: 100 };
/** For tests: still one run in flight plus one queued, but the queued run starts as soon as the first settles. */
export const IMMEDIATE_COALESCE_POLICY: CoalescePolicy = { minGapMs: 0 };

/** What a task resolves to when it did not start fresh work (see above); anything else means it did. */
export const JOINED = "joined";

export type CoalescedTask = () => Promise<unknown>;

export interface Coalescer {
  /** True when the task started at once; false when it was merged into a run already pending or in flight. */
  run(key: string, task: CoalescedTask): boolean;
  /** Drops queued runs and timers; runs in flight finish on their own. */
  dispose(): void;
}

type Slot = {
  running: boolean;
  startedAt: number;
  queued: CoalescedTask | null;
  timer: ReturnType<typeof setTimeout> | null;
};

export function createCoalescer(policy: CoalescePolicy = COALESCE_POLICY): Coalescer {
  const slots = new Map<string, Slot>();
  let disposed = false;

  const settled = (key: string, slot: Slot, task: CoalescedTask, joined: boolean) => {
    slot.running = false;
    if (disposed) return;
    if (joined) slot.queued ??= task; // a task queued meanwhile is newer and does the same
    const wait = joined ? 0 : Math.max(0, slot.startedAt + policy.minGapMs - Date.now());
    slot.timer = setTimeout(() => cooled(key, slot), wait);
  };

  // Synchronous: the first signal of a burst reaches the query cache in the same task that received it.
  const start = (key: string, slot: Slot, task: CoalescedTask) => {
    slot.running = true;
    slot.startedAt = Date.now();
    let running: Promise<unknown>;
    try {
      running = task();
    } catch (error) {
      running = Promise.reject(error);
    }
    running.then(
      (outcome) => settled(key, slot, task, outcome === JOINED),
      () => settled(key, slot, task, false), // a failed refetch is the query's own error state; the next signal tries again
    );
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
      if (disposed) return false;
      const slot = slots.get(key);
      if (slot) {
        slot.queued = task;
        return false;
      }
      const fresh: Slot = { running: false, startedAt: 0, queued: null, timer: null };
      slots.set(key, fresh);
      start(key, fresh, task);
      return true;
    },
    dispose() {
      disposed = true;
      for (const slot of slots.values()) if (slot.timer) clearTimeout(slot.timer);
      slots.clear();
    },
  };
}

/**
 * Turns query keys (from signals, resyncs and fallback polls) into refetches. The one place a timing policy lives,
 * swappable without touching channels or the registry.
 */
export interface Invalidator {
  /**
   * May return how many of the keys were merged into a refetch already pending or in flight (the realtime log's
   * "coalesced" fate); returning nothing means every key was refetched at once.
   */
  invalidate(keys: readonly QueryKey[]): number | void;
  dispose?(): void;
}

export type InvalidatorFactory = (queryClient: QueryClient) => Invalidator;

/** No policy: every key is invalidated as soon as its signal arrives (prefix match, TanStack's default). */
export const createImmediateInvalidator: InvalidatorFactory = (queryClient) => ({
  invalidate(keys) {
    for (const queryKey of keys) void queryClient.invalidateQueries({ queryKey });
  },
});

/**
 * Invalidates (and refetches the active queries under) `queryKey`, resolving to JOINED when some matching query's
 * fetch in flight was kept rather than restarted, so its answer may predate the signal. TanStack v5 only cancels
 * and restarts a running fetch when the query already has data (Query.fetch: `cancelRefetch` needs data);
 * otherwise, e.g. during a page's first load or a fetch without data that someone else started, the invalidation
 * dedupes onto it. Inactive or disabled queries are not refetched at all, and a fetch of theirs in flight would
 * clear the invalid mark with its older answer. Detected by the query's retryer promise being the same object
 * before and after: a restarted fetch has a new one (Query.fetch creates it synchronously).
 */
export function invalidateForSignal(queryClient: QueryClient, queryKey: QueryKey): Promise<unknown> {
  let inFlight: Array<[Query, Promise<unknown> | undefined]> | null = null;
  for (const query of queryClient.getQueryCache().findAll({ queryKey })) {
    if (query.state.fetchStatus !== "idle") (inFlight ??= []).push([query, query.promise]);
  }
  const done = queryClient.invalidateQueries({ queryKey });
  if (!inFlight?.some(([query, before]) => before !== undefined && query.promise === before)) return done;
  return done.then(() => JOINED);
}

/**
 * One refetch in flight per query key plus one queued (createCoalescer above); after a signal for a key, at least
 * one fetch of it starts after the signal arrived (a fetch already in flight that the invalidation could only
 * join is followed by one more). Returns a factory; call it at module level so the provider receives a stable
 * function.
 */
export function coalescingInvalidator(policy: CoalescePolicy = COALESCE_POLICY): InvalidatorFactory {
  return (queryClient) => {
    const coalescer = createCoalescer(policy);
    return {
      invalidate(keys) {
        let merged = 0;
        for (const queryKey of keys) {
          if (!coalescer.run(hashKey(queryKey), () => invalidateForSignal(queryClient, queryKey))) merged++;
        }
        return merged;
      },
      dispose: () => coalescer.dispose(),
    };
  };
}

/** The provider's default. */
export const createCoalescingInvalidator: InvalidatorFactory = coalescingInvalidator();
