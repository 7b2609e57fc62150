import type { QueryClient, QueryKey } from "@tanstack/react-query";

/**
 * Turns the query keys of a received signal into refetches. The one place a timing policy (coalescing bursts,
 * trailing refetches) can be swapped in without touching channels or the registry.
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
