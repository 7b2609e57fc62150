import type { QueryClient } from "@tanstack/react-query";
import { queryKeys } from "@/lib/query-keys";

const TAG_ARTICLES = queryKeys.tagArticles("")[0];

/** Every list an article of `author` can appear in; after a change to it, they may all be stale. */
export function invalidateArticleQueries(
  queryClient: QueryClient,
  author: { id: string; username: string },
  handle?: string,
) {
  return Promise.all([
    queryClient.invalidateQueries({ queryKey: queryKeys.dashboardArticles() }),
    queryClient.invalidateQueries({ queryKey: queryKeys.articleFeed() }),
    queryClient.invalidateQueries({ queryKey: queryKeys.userArticleFeed(author.id) }),
    queryClient.invalidateQueries({ queryKey: queryKeys.myBookmarks() }),
    // Tags can be added or removed by an edit, so any tag page may be affected.
    queryClient.invalidateQueries({ predicate: (q) => q.queryKey[0] === TAG_ARTICLES }),
    handle ? queryClient.invalidateQueries({ queryKey: queryKeys.article(author.username, handle) }) : undefined,
  ]);
}
