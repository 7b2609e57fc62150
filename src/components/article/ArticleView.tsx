"use client";

import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { getArticle } from "@/backend/services/article.actions";
import { unwrap } from "@/lib/action-result";
import { queryKeys } from "@/lib/query-keys";
import { useResourceChannel } from "@/components/providers/RealtimeProvider";
import { CommentSection } from "@/components/comment/CommentSection";
import { ReactionBar } from "@/components/render-props/ReactionBar";
import { ErrorMessage } from "@/components/ui/ErrorMessage";
import { Time } from "@/components/ui/Time";
import type { ActionData } from "@/components/action-data";
import { BookmarkButton } from "./BookmarkButton";
import { TagList } from "./TagList";

type Article = ActionData<typeof getArticle>;

/**
 * The article, or null once it is gone for this reader (unpublished, deleted). A hidden article answers NOT_FOUND,
 * exactly like a missing one, so this is the page's normal "no longer available" state rather than an error.
 */
async function readArticle(username: string, handle: string): Promise<Article | null> {
  const result = await getArticle({ username, handle });
  if (!result.ok && result.error.code === "NOT_FOUND") return null;
  return unwrap(result);
}

/**
 * A signal on the article's channel (edit, unpublish, delete) refetches the page. When the reader lost access the
 * page says so and unmounts everything live, so the tab leaves the channel. The broker cannot evict a member, so
 * a modified client could stay on the channel until it disconnects; it would only ever hear content-free signals,
 * and every refetch they prompt is refused.
 */
export function ArticleView({ username, handle, initialArticle }: { username: string; handle: string; initialArticle: Article }) {
  const query = useQuery({
    queryKey: queryKeys.article(username, handle),
    queryFn: () => readArticle(username, handle),
    initialData: initialArticle,
  });
  const article = query.data;
  useResourceChannel("ARTICLE", article?.id);

  if (!article) return <ArticleGone />;

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

function ArticleGone() {
  return (
    <div className="py-16 text-center" data-testid="article-gone">
      <h1 className="text-2xl font-bold">This article is no longer available</h1>
      <p className="mt-2 text-slate-600">Its author unpublished or deleted it.</p>
      <Link href="/" className="mt-6 inline-block text-sm font-medium underline">
        Back to the home feed
      </Link>
    </div>
  );
}
