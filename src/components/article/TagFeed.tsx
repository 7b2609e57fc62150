"use client";

import { tagArticles } from "@/backend/services/article.actions";
import { queryKeys } from "@/lib/query-keys";
import { PageHeader } from "@/components/ui/PageHeader";
import { ArticleList } from "./ArticleList";
import { useArticleFeed } from "./useArticleFeed";

export function TagFeed({ tag }: { tag: { id: number; name: string } }) {
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
