"use client";

import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { gistList } from "@/backend/services/gist.actions";
import { unwrap } from "@/lib/action-result";
import { queryKeys } from "@/lib/query-keys";
import { useCurrentUser } from "@/components/session/CurrentUser";
import { EmptyState } from "@/components/ui/EmptyState";
import { ErrorMessage } from "@/components/ui/ErrorMessage";
import { Loading } from "@/components/ui/Loading";
import { PageHeader } from "@/components/ui/PageHeader";
import { Time } from "@/components/ui/Time";
import { button, card } from "@/components/ui/styles";
import { PrivateBadge } from "./PrivateBadge";

export function GistList() {
  const user = useCurrentUser();
  const gists = useQuery({
    queryKey: queryKeys.gists(),
    queryFn: async () => unwrap(await gistList({})),
  });

  return (
    <div>
      <PageHeader title="Gists">
        {user ? (
          <Link href="/gists/new" className={button.primary}>
            New gist
          </Link>
        ) : null}
      </PageHeader>
      {gists.error ? (
        <ErrorMessage error={gists.error} />
      ) : gists.isPending ? (
        <Loading label="Loading gists…" />
      ) : gists.data.length === 0 ? (
        <EmptyState>No gists yet.</EmptyState>
      ) : (
        <ul className="space-y-3">
          {gists.data.map((g) => (
            <li key={g.id} data-testid={`gist-${g.id}`} className={card}>
              <div className="flex flex-wrap items-center gap-2 text-sm text-slate-500">
                <Link href={`/@${g.owner.username}`} className="font-medium text-slate-700 hover:underline">
                  {g.owner.username}
                </Link>
                <span aria-hidden="true">/</span>
                <Link href={`/gists/${g.id}`} className="font-mono font-semibold text-slate-900 hover:underline">
                  {g.title}
                </Link>
                {!g.is_public ? <PrivateBadge /> : null}
              </div>
              {g.description ? <p className="mt-1 text-sm text-slate-600">{g.description}</p> : null}
              <p className="mt-2 text-xs text-slate-500">
                {g.files_count} {g.files_count === 1 ? "file" : "files"} · updated <Time value={g.updated_at} />
              </p>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
