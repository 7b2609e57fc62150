"use client";

import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { getArticle } from "@/backend/services/article.actions";
import { unwrap } from "@/lib/action-result";
import { queryKeys } from "@/lib/query-keys";
import { CommentSection } from "@/components/comment/CommentSection";
import { ReactionBar } from "@/components/render-props/ReactionBar";
import { ErrorMessage } from "@/components/ui/ErrorMessage";
import { Time } from "@/components/ui/Time";
import type { ActionData } from "@/components/action-data";
import { BookmarkButton } from "./BookmarkButton";
import { TagList } from "./TagList";

type Article = ActionData<typeof getArticle>;

export function ArticleView({ username, handle, initialArticle }: { username: string; handle: string; initialArticle: Article }) {
  const query = useQuery({
    queryKey: queryKeys.article(username, handle),
    queryFn: async () => unwrap(await getArticle({ username, handle })),
    initialData: initialArticle,
  });
  const article = query.data;

  return (
    <div>
      {query.error ? <ErrorMessage error={query.error} className="mb-4" /> : null}
      <article>
        <header className="mb-6 space-y-3">
          {!article.published_at ? (
            <p className="inline-block rounded bg-amber-100 px-2 py-0.5 text-xs font-semibold uppercase tracking-wide text-amber-800">
              Draft — only you can see this
            </p>
          ) : null}
          <h1 className="text-3xl font-bold leading-tight tracking-tight sm:text-4xl">{article.title}</h1>
          <div className="flex flex-wrap items-center justify-between gap-3">
            <div className="flex flex-wrap items-center gap-x-2 text-sm">
              <Link href={`/@${article.author.username}`} className="font-medium text-slate-800 hover:underline">
                {article.author.name || article.author.username}
              </Link>
              <span className="text-slate-400">@{article.author.username}</span>
              <Time value={article.published_at ?? article.created_at} />
            </div>
            <BookmarkButton resource_id={article.id} />
          </div>
          <TagList tags={article.tags} />
        </header>

        <div className="space-y-4 text-base leading-relaxed text-slate-800">
          {article.body
            .split(/\n{2,}/)
            .filter((p) => p.trim())
            .map((p, i) => (
              <p key={i} className="whitespace-pre-wrap break-words">
                {p}
              </p>
            ))}
        </div>

        <div className="mt-8 border-t border-slate-200 pt-4">
          <ReactionBar resource_id={article.id} resource_type="ARTICLE" />
        </div>
      </article>

      <CommentSection resource_id={article.id} resource_type="ARTICLE" />
    </div>
  );
}
