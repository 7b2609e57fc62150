"use client";

import { useQuery } from "@tanstack/react-query";
import { userArticleFeed } from "@/backend/services/article.actions";
import { getUserProfile } from "@/backend/services/user.actions";
import { unwrap } from "@/lib/action-result";
import { queryKeys } from "@/lib/query-keys";
import { profileChannel } from "@/backend/realtime/channels";
import { useRealtimeChannel } from "@/lib/realtime/client";
import { ArticleList } from "@/components/article/ArticleList";
import { useArticleFeed } from "@/components/article/useArticleFeed";
import { ErrorMessage } from "@/components/ui/ErrorMessage";
import type { ActionData } from "@/components/action-data";

type Profile = ActionData<typeof getUserProfile>;

/** A user's card and published articles; both follow the public `profile.{userId}` channel (no sign-in needed). */
export function ProfileView({ initialProfile }: { initialProfile: Profile }) {
  useRealtimeChannel(profileChannel(initialProfile.id));
  const profile = useQuery({
    queryKey: queryKeys.user(initialProfile.id),
    queryFn: async () => unwrap(await getUserProfile({ username: initialProfile.username })),
    initialData: initialProfile,
  });
  const articles = useArticleFeed(queryKeys.userArticleFeed(initialProfile.id), (cursor) =>
    userArticleFeed({ user_id: initialProfile.id, cursor }),
  );
  const user = profile.data;

  return (
    <div>
      <header className="mb-8 flex items-center gap-4">
        <div
          aria-hidden="true"
          className="flex h-14 w-14 shrink-0 items-center justify-center rounded-full bg-slate-200 text-xl font-bold text-slate-600"
        >
          {(user.name || user.username).slice(0, 1).toUpperCase()}
        </div>
        <div className="min-w-0">
          <h1 className="truncate text-2xl font-bold tracking-tight">{user.name || user.username}</h1>
          <p className="text-sm text-slate-500">@{user.username}</p>
          {user.bio ? <p className="mt-1 text-sm text-slate-700">{user.bio}</p> : null}
        </div>
      </header>
      <ErrorMessage error={profile.error} className="mb-4" />
      <h2 className="mb-3 text-lg font-semibold">Articles</h2>
      <ArticleList
        articles={articles.articles}
        isPending={articles.isPending}
        error={articles.error}
        empty={`@${user.username} has not published anything yet.`}
        hasMore={articles.hasNextPage}
        loadingMore={articles.isFetchingNextPage}
        onLoadMore={() => articles.fetchNextPage()}
      />
    </div>
  );
}
