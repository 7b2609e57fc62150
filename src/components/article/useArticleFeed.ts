"use client";

import { useInfiniteQuery, type QueryKey } from "@tanstack/react-query";
import type { ActionResult } from "@/lib/action-result";
import { unwrap } from "@/lib/action-result";
import type { ArticleSummary } from "./types";

// Mirrors the server's page size: a full page means there may be more.
const FEED_PAGE_SIZE = 20;

/**
 * A keyset-paged article feed under one query key: invalidating the key (by a signal or a mutation)
 * refetches every loaded page, so the list never mixes old and new pages.
 */
export function useArticleFeed<A extends ArticleSummary>(
  queryKey: QueryKey,
  fetchPage: (cursor: string | undefined) => Promise<ActionResult<A[]>>,
) {
  const query = useInfiniteQuery({
    queryKey,
    queryFn: async ({ pageParam }) => unwrap(await fetchPage(pageParam)),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (lastPage) => (lastPage.length >= FEED_PAGE_SIZE ? lastPage[lastPage.length - 1]?.id : undefined),
  });
  return { ...query, articles: query.data?.pages.flat() };
}
