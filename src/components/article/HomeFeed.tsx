"use client";

import { articleFeed } from "@/backend/services/article.actions";
import { queryKeys } from "@/lib/query-keys";
import { PageHeader } from "@/components/ui/PageHeader";
import { ArticleList } from "./ArticleList";
import { useArticleFeed } from "./useArticleFeed";

/** The global feed is not broadcast (too wide a fan-out); it refreshes on focus and after staleTime. */
export function HomeFeed() {
  const feed = useArticleFeed(queryKeys.articleFeed(), (cursor) => articleFeed({ cursor }));
  return (
    <div>
      <PageHeader title="Latest articles" />
      <ArticleList
        articles={feed.articles}
        isPending={feed.isPending}
        error={feed.error}
        empty="No articles published yet."
        hasMore={feed.hasNextPage}
        loadingMore={feed.isFetchingNextPage}
        onLoadMore={() => feed.fetchNextPage()}
      />
    </div>
  );
}
