"use client";

import Link from "next/link";
import { useState } from "react";
import { useMutation, useQuery } from "@tanstack/react-query";
import {
  createMyArticle,
  deleteMyArticle,
  getArticle,
  myArticles,
  setArticlePublished,
  updateMyArticle,
} from "@/backend/services/article.actions";
import { unwrap } from "@/lib/action-result";
import { queryKeys } from "@/lib/query-keys";
import type { CurrentUser } from "@/components/session/CurrentUser";
import { articlePath, type ArticleSummary } from "@/components/article/types";
import { EmptyState } from "@/components/ui/EmptyState";
import { ErrorMessage } from "@/components/ui/ErrorMessage";
import { Loading } from "@/components/ui/Loading";
import { PageHeader } from "@/components/ui/PageHeader";
import { Time } from "@/components/ui/Time";
import { ConfirmDeleteButtons } from "@/components/ui/ConfirmDeleteButtons";
import { button, card } from "@/components/ui/styles";
import { ArticleEditorForm, type ArticleFormValues } from "./ArticleEditorForm";
import { useServerAction } from "@/components/providers/RealtimeProvider";

export function MyArticles({ me }: { me: CurrentUser }) {
  const run = useServerAction();
  const [creating, setCreating] = useState(false);
  const articles = useQuery({
    queryKey: queryKeys.dashboardArticles(),
    queryFn: async () => unwrap(await myArticles({})),
  });
  const create = useMutation({
    // Article writes return what they announced (dashboard, the article's page, feeds it is or was on): this tab
    // refreshes exactly those, like every other tab.
    mutationFn: (values: ArticleFormValues) => run(createMyArticle(values)),
    onSuccess: () => setCreating(false),
  });

  return (
    <div>
      <PageHeader title="My articles">
        {!creating ? (
          <button type="button" className={button.primary} onClick={() => setCreating(true)}>
            New article
          </button>
        ) : null}
      </PageHeader>

      {creating ? (
        <section aria-label="New article" className={`${card} mb-6`}>
          <h2 className="mb-3 font-semibold">New article</h2>
          <p className="mb-3 text-sm text-slate-500">New articles start as drafts; publish when ready.</p>
          <ArticleEditorForm
            submitLabel="Create article"
            onSubmit={(v) => create.mutateAsync(v)}
            onCancel={() => {
              create.reset();
              setCreating(false);
            }}
            isPending={create.isPending}
            error={create.error}
          />
        </section>
      ) : null}

      {articles.error ? (
        <ErrorMessage error={articles.error} />
      ) : articles.isPending ? (
        <Loading label="Loading your articles…" />
      ) : articles.data.length === 0 ? (
        <EmptyState>You have not written anything yet.</EmptyState>
      ) : (
        <ul className="space-y-3">
          {articles.data.map((a) => (
            <li key={a.id}>
              <MyArticleRow article={a} me={me} />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function MyArticleRow({ article, me }: { article: ArticleSummary & { updated_at: Date | string }; me: CurrentUser }) {
  const run = useServerAction();
  const [editing, setEditing] = useState(false);
  const [confirmingDelete, setConfirmingDelete] = useState(false);
  const published = article.published_at !== null;

  // The list has no body; load the full article only when the editor opens.
  const full = useQuery({
    queryKey: queryKeys.article(me.username, article.handle),
    queryFn: async () => unwrap(await getArticle({ username: me.username, handle: article.handle })),
    enabled: editing,
  });
  const update = useMutation({
    mutationFn: (values: ArticleFormValues) => run(updateMyArticle({ id: article.id, ...values })),
    onSuccess: () => setEditing(false),
  });
  const publish = useMutation({
    mutationFn: () => run(setArticlePublished({ id: article.id, published: !published })),
  });
  const remove = useMutation({
    mutationFn: () => run(deleteMyArticle({ id: article.id })),
    onSuccess: () => setConfirmingDelete(false),
  });

  return (
    <div className={card} data-testid={`my-article-${article.id}`}>
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div className="min-w-0">
          <h2 className="font-semibold leading-snug">
            <Link href={articlePath({ handle: article.handle, author: me })} className="hover:underline">
              {article.title}
            </Link>
          </h2>
          <p className="mt-0.5 flex flex-wrap items-center gap-2 text-xs">
            <span
              className={`rounded px-1.5 py-0.5 font-semibold uppercase tracking-wide ${
                published ? "bg-emerald-100 text-emerald-800" : "bg-amber-100 text-amber-800"
              }`}
            >
              {published ? "Published" : "Draft"}
            </span>
            <span className="text-slate-500">
              updated <Time value={article.updated_at} />
            </span>
          </p>
        </div>
        <div className="flex flex-wrap gap-2">
          <button type="button" className={button.secondary} onClick={() => setEditing(!editing)}>
            {editing ? "Close editor" : "Edit"}
          </button>
          <button type="button" className={button.secondary} disabled={publish.isPending} onClick={() => publish.mutate()}>
            {published ? "Unpublish" : "Publish"}
          </button>
          <ConfirmDeleteButtons
            confirming={confirmingDelete}
            setConfirming={setConfirmingDelete}
            onConfirm={() => remove.mutate()}
            isPending={remove.isPending}
          />
        </div>
      </div>
      {confirmingDelete ? (
        <p className="mt-2 text-sm text-red-700">Delete “{article.title}” with its comments and reactions? This cannot be undone.</p>
      ) : null}
      <ErrorMessage error={publish.error ?? remove.error} className="mt-2" />

      {editing ? (
        <div className="mt-4 border-t border-slate-200 pt-4">
          {full.error ? (
            <ErrorMessage error={full.error} />
          ) : full.isPending ? (
            <Loading label="Loading article…" />
          ) : (
            <ArticleEditorForm
              initial={{
                title: full.data.title,
                excerpt: full.data.excerpt,
                body: full.data.body,
                tags: full.data.tags.map((t) => t.name),
              }}
              submitLabel="Save changes"
              onSubmit={(v) => update.mutateAsync(v)}
              onCancel={() => {
                update.reset();
                setEditing(false);
              }}
              isPending={update.isPending}
              error={update.error}
            />
          )}
        </div>
      ) : null}
    </div>
  );
}
