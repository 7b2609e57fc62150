"use client";

import { tagArticles } from "@/backend/services/article.actions";
import { queryKeys } from "@/lib/query-keys";
import { tagChannel } from "@/backend/realtime/channels";
import { useRealtimeChannel } from "@/lib/realtime/client";
import { PageHeader } from "@/components/ui/PageHeader";
import { ArticleList } from "./ArticleList";
import { useArticleFeed } from "./useArticleFeed";

/** Published articles under one tag, refetched when one of them is published, edited, unpublished or deleted. */
export function TagFeed({ tag }: { tag: { id: string; name: string } }) {
  useRealtimeChannel(tagChannel(tag.id));
  const feed = useArticleFeed(queryKeys.tagArticles(tag.id), (cursor) => tagArticles({ tag_id: tag.id, cursor }));
  return (
    <div>
      <PageHeader title={`#${tag.name}`} />
      <ArticleList
        articles={feed.articles}
        isPending={feed.isPending}
        error={feed.error}
        empty={`No published articles tagged #${tag.name} yet.`}
        hasMore={feed.hasNextPage}
        loadingMore={feed.isFetchingNextPage}
        onLoadMore={() => feed.fetchNextPage()}
      />
    </div>
  );
}
