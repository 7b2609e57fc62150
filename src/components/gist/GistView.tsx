"use client";

import Link from "next/link";
import { useState } from "react";
import { useRouter } from "next/navigation";
import { useMutation, useQuery } from "@tanstack/react-query";
import { deleteMyGist, getGist } from "@/backend/services/gist.actions";
import { unwrap } from "@/lib/action-result";
import { queryKeys } from "@/lib/query-keys";
import { useResourceChannel, useServerAction } from "@/components/providers/RealtimeProvider";
import type { ActionData } from "@/components/action-data";
import { CommentSection } from "@/components/comment/CommentSection";
import { ReactionBar } from "@/components/render-props/ReactionBar";
import { useCurrentUser } from "@/components/session/CurrentUser";
import { ErrorMessage } from "@/components/ui/ErrorMessage";
import { Time } from "@/components/ui/Time";
import { ConfirmDeleteButtons } from "@/components/ui/ConfirmDeleteButtons";
import { button } from "@/components/ui/styles";
import { GistGone } from "./GistGone";
import { PrivateBadge } from "./PrivateBadge";

type Gist = ActionData<typeof getGist>;

/** null: the gist is gone for this viewer (deleted, or made private by its owner); NOT_FOUND does not say which. */
async function fetchGist(id: string): Promise<Gist | null> {
  const result = await getGist({ id });
  if (!result.ok && result.error.code === "NOT_FOUND") return null;
  return unwrap(result);
}

export function GistView({ initialGist }: { initialGist: Gist }) {
  const user = useCurrentUser();
  const router = useRouter();
  const run = useServerAction();
  const [confirmingDelete, setConfirmingDelete] = useState(false);
  const query = useQuery<Gist | null>({
    queryKey: queryKeys.gist(initialGist.id),
    queryFn: () => fetchGist(initialGist.id),
    initialData: initialGist,
  });
  const gist = query.data;
  // The page holds the gist's channel while the gist is readable; once it is gone the channel is left (the comment
  // section that shares it unmounts with the rest of the page), so a viewer who lost access hears nothing more.
  useResourceChannel("GIST", gist ? gist.id : null);
  const remove = useMutation({
    mutationFn: () => run(deleteMyGist({ id: initialGist.id })),
    onSuccess: () => router.push("/gists"),
  });
  if (!gist) return <GistGone ownerView={user?.id === initialGist.owner.id} />;
  const isOwner = user?.id === gist.owner.id;

  return (
    <div>
      {query.error ? <ErrorMessage error={query.error} className="mb-4" /> : null}
      <header className="mb-6 space-y-2">
        <div className="flex flex-wrap items-center gap-2 text-sm text-slate-500">
          <Link href={`/@${gist.owner.username}`} className="font-medium text-slate-700 hover:underline">
            {gist.owner.username}
          </Link>
          <span aria-hidden="true">/</span>
          <Time value={gist.created_at} />
          {!gist.is_public ? <PrivateBadge /> : null}
        </div>
        <h1 className="break-words font-mono text-2xl font-bold">{gist.title}</h1>
        {gist.description ? <p className="text-slate-600">{gist.description}</p> : null}
        {isOwner ? (
          <div className="flex flex-wrap gap-2 pt-1">
            <Link href={`/gists/${gist.id}/edit`} className={button.secondary}>
              Edit
            </Link>
            <ConfirmDeleteButtons
              confirming={confirmingDelete}
              setConfirming={setConfirmingDelete}
              onConfirm={() => remove.mutate()}
              isPending={remove.isPending}
            />
          </div>
        ) : null}
        {confirmingDelete ? (
          <p className="text-sm text-red-700">Delete this gist with its comments and reactions? This cannot be undone.</p>
        ) : null}
        <ErrorMessage error={remove.error} />
      </header>

      <div className="space-y-4">
        {gist.files.map((f) => (
          <section key={f.id} aria-label={f.filename} className="overflow-hidden rounded-lg border border-slate-200 bg-white">
            <div className="flex items-center justify-between border-b border-slate-200 bg-slate-50 px-3 py-2 text-sm">
              <span className="font-mono font-medium">{f.filename}</span>
              <span className="text-xs text-slate-500">{f.language}</span>
            </div>
            <pre className="overflow-x-auto p-3 font-mono text-xs leading-relaxed text-slate-800">
              <code>{f.content}</code>
            </pre>
          </section>
        ))}
      </div>

      <div className="mt-6">
        <ReactionBar resource_id={gist.id} resource_type="GIST" />
      </div>

      <CommentSection resource_id={gist.id} resource_type="GIST" />
    </div>
  );
}
