import type { ReactNode } from "react";
import { EmptyState } from "@/components/ui/EmptyState";
import { ErrorMessage } from "@/components/ui/ErrorMessage";
import { Loading } from "@/components/ui/Loading";
import { button } from "@/components/ui/styles";
import { ArticleCard } from "./ArticleCard";
import type { ArticleSummary } from "./types";

/** Renders one article query's states: loading, error, empty, list, and "Load more" for paged feeds. */
export function ArticleList({
  articles,
  isPending,
  error,
  empty,
  hasMore = false,
  loadingMore = false,
  onLoadMore,
}: {
  articles: ArticleSummary[] | undefined;
  isPending: boolean;
  error: unknown;
  empty: ReactNode;
  hasMore?: boolean;
  loadingMore?: boolean;
  onLoadMore?: () => void;
}) {
  if (isPending && !articles) return <Loading label="Loading articles…" />;
  if (!articles || articles.length === 0) return error ? <ErrorMessage error={error} /> : <EmptyState>{empty}</EmptyState>;
  return (
    <div className="space-y-4">
      {error ? <ErrorMessage error={error} /> : null}
      <ul className="space-y-4">
        {articles.map((a) => (
          <li key={a.id}>
            <ArticleCard article={a} />
          </li>
        ))}
      </ul>
      {hasMore && onLoadMore ? (
        <div className="text-center">
          <button type="button" className={button.secondary} disabled={loadingMore} onClick={onLoadMore}>
            {loadingMore ? "Loading…" : "Load more"}
          </button>
        </div>
      ) : null}
    </div>
  );
}
