import { hashKey, type Query, type QueryClient, type QueryKey } from "@tanstack/react-query";
import { COALESCE_POLICY, createCoalescer, JOINED, type CoalescePolicy } from "./coalescer";

/**
 * Turns query keys (from signals, resyncs and fallback polls) into refetches. The one place a timing policy lives,
 * swappable without touching channels or the registry.
 */
export interface Invalidator {
  invalidate(keys: readonly QueryKey[]): void;
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
 * One refetch in flight per query key plus one trailing (see coalescer.ts); after a signal for a key, at least
 * one fetch of it starts after the signal arrived (a fetch already in flight that the invalidation could only
 * join is followed by one more). Returns a factory; call it at module level so the provider receives a stable
 * function.
 */
export function coalescingInvalidator(policy: CoalescePolicy = COALESCE_POLICY): InvalidatorFactory {
  return (queryClient) => {
    const coalescer = createCoalescer(policy);
    return {
      invalidate(keys) {
        for (const queryKey of keys) {
          coalescer.run(hashKey(queryKey), () => invalidateForSignal(queryClient, queryKey));
        }
      },
      dispose: () => coalescer.dispose(),
    };
  };
}

/** The provider's default. */
export const createCoalescingInvalidator: InvalidatorFactory = coalescingInvalidator();
