import { hashKey, type QueryClient, type QueryKey } from "@tanstack/react-query";
import { COALESCE_POLICY, createCoalescer, type CoalescePolicy } from "./coalescer";

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
 * One refetch in flight per query key plus one trailing (see coalescer.ts). Returns a factory; call it at module
 * level so the provider receives a stable function.
 */
export function coalescingInvalidator(policy: CoalescePolicy = COALESCE_POLICY): InvalidatorFactory {
  return (queryClient) => {
    const coalescer = createCoalescer(policy);
    return {
      invalidate(keys) {
        for (const queryKey of keys) {
          coalescer.run(hashKey(queryKey), () => queryClient.invalidateQueries({ queryKey }));
        }
      },
      dispose: () => coalescer.dispose(),
    };
  };
}

/** The provider's default. */
export const createCoalescingInvalidator: InvalidatorFactory = coalescingInvalidator();
