import Link from "next/link";
import { Time } from "@/components/ui/Time";
import { card } from "@/components/ui/styles";
import { TagList } from "./TagList";
import { articlePath, type ArticleSummary } from "./types";

export function ArticleCard({ article }: { article: ArticleSummary }) {
  return (
    <article className={card} data-testid={`article-${article.id}`}>
      <div className="mb-1 flex flex-wrap items-center gap-x-2 text-sm text-slate-500">
        <Link href={`/@${article.author.username}`} className="font-medium text-slate-700 hover:underline">
          {article.author.name || article.author.username}
        </Link>
        <Time value={article.published_at} />
      </div>
      <h2 className="text-lg font-semibold leading-snug">
        <Link href={articlePath(article)} className="hover:underline">
          {article.title}
        </Link>
      </h2>
      {article.excerpt ? <p className="mt-1 text-sm text-slate-600">{article.excerpt}</p> : null}
      <div className="mt-3 flex flex-wrap items-center justify-between gap-2">
        <TagList tags={article.tags} />
        {article.comment_count !== undefined || article.reaction_count !== undefined ? (
          <p className="text-xs text-slate-500">
            {article.reaction_count ?? 0} reactions · {article.comment_count ?? 0} comments
          </p>
        ) : null}
      </div>
    </article>
  );
}
