/**
 * Notices: scopes whose browser effect is "tell the reader something changed", not "refetch it" (a site-wide feed,
 * where a refetch per visitor per signal is the cost to avoid). A notice is a tiny local query with no network:
 * invalidating it re-runs a queryFn that only stamps the time. So the one dispatch path (signal -> scope -> keys
 * -> invalidate, with its coalescing) serves notices too, and a component shows its hint while the stamp is newer
 * than its own data. A notice scope's keys are `[noticeKey(name)]` and it sets `resync: false`. Isomorphic.
 */
import { queryOptions } from "@tanstack/react-query";

// Its own first segment, so invalidating a data key never prefix-matches a notice, or the other way round.
export const noticeKey = (notice: string) => ["realtime-notice", notice] as const;

/** 0 = nothing noticed yet; otherwise the time the last signal arrived (client clock, like dataUpdatedAt). */
export const noticeQuery = (notice: string) =>
  queryOptions({
    queryKey: noticeKey(notice),
    queryFn: () => Date.now(),
    initialData: 0,
    // Only a signal may move it: never refetched on mount, focus or reconnect, and kept while the page is away.
    staleTime: Infinity,
    gcTime: Infinity,
  });

/** True while a notice arrived after `dataUpdatedAt` (the data it is about was fetched before the change). */
export function isNoticeNewer(stamp: number | undefined, dataUpdatedAt: number): boolean {
  return !!stamp && stamp > dataUpdatedAt;
}
