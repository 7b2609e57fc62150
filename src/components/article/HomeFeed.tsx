"use client";

import { articleFeed } from "@/backend/services/article.actions";
import { queryKeys } from "@/lib/query-keys";
import { articleFeedChannel } from "@/backend/realtime/channels";
import { useRealtimeChannel } from "@/lib/realtime/client";
import { PageHeader } from "@/components/ui/PageHeader";
import { ArticleList } from "./ArticleList";
import { NewArticlesPill } from "./NewArticlesPill";
import { useArticleFeed } from "./useArticleFeed";

/**
 * The global feed. Its public channel carries at most one signal per few seconds (throttled on the server), and a
 * signal only shows the "New articles" pill: the visitor decides when to refetch, so one published article does
 * not make every open home page hit the server at once.
 */
export function HomeFeed() {
  useRealtimeChannel(articleFeedChannel());
  const feed = useArticleFeed(queryKeys.articleFeed(), (cursor) => articleFeed({ cursor }));
  return (
    <div>
      <PageHeader title="Latest articles" />
      <NewArticlesPill
        dataUpdatedAt={feed.articles ? feed.dataUpdatedAt : null}
        refreshing={feed.isRefetching}
        onShow={() => {
          window.scrollTo({ top: 0, behavior: "smooth" });
          void feed.refetch();
        }}
      />
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
