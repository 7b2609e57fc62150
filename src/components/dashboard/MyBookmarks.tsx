"use client";

import { useQuery } from "@tanstack/react-query";
import { myBookmarks } from "@/backend/services/bookmark.action";
import { unwrap } from "@/lib/action-result";
import { queryKeys } from "@/lib/query-keys";
import { ArticleList } from "@/components/article/ArticleList";
import { PageHeader } from "@/components/ui/PageHeader";

export function MyBookmarks() {
  const bookmarks = useQuery({
    queryKey: queryKeys.myBookmarks(),
    queryFn: async () => unwrap(await myBookmarks({})),
  });
  return (
    <div>
      <PageHeader title="Bookmarks" />
      <ArticleList
        articles={bookmarks.data}
        isPending={bookmarks.isPending}
        error={bookmarks.error}
        empty="Nothing bookmarked yet. Use the Bookmark button on an article to save it here."
      />
    </div>
  );
}
