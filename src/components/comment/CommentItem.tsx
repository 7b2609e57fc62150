"use client";

import Link from "next/link";
import { useState } from "react";
import { useMutation } from "@tanstack/react-query";
import { createMyComment, deleteMyComment, updateMyComment } from "@/backend/services/comment.action";
import { useServerAction } from "@/components/providers/RealtimeProvider";
import type { RootResourceType } from "@/lib/resource-types";
import { ReactionBar } from "@/components/render-props/ReactionBar";
import { useCurrentUser } from "@/components/session/CurrentUser";
import { ErrorMessage } from "@/components/ui/ErrorMessage";
import { Time } from "@/components/ui/Time";
import { button } from "@/components/ui/styles";
import { CommentForm } from "./CommentForm";
import { MAX_COMMENT_DEPTH, type CommentNode, type FlatComment } from "./comment-tree";

export type CommentView = FlatComment & {
  body: string;
  updated_at: Date | string;
  author: { id: string; username: string; name: string };
};

/**
 * One comment and, nested below it, its replies. `data-testid` sits on the comment itself, not on the
 * wrapper holding the replies, so "the Reply button of comment N" is always a single button.
 */
export function CommentItem({
  node,
  root,
}: {
  node: CommentNode<CommentView>;
  /** The article or gist of the thread, whose channel carries this comment's reactions. */
  root?: { resource_type: RootResourceType; resource_id: string };
}) {
  const { comment, level, replies } = node;
  const user = useCurrentUser();
  const run = useServerAction();
  const [mode, setMode] = useState<"view" | "reply" | "edit">("view");
  const isOwn = user?.id === comment.author.id;
  const canReply = user !== null && level < MAX_COMMENT_DEPTH;

  const reply = useMutation({
    // Every change in a thread returns the root's comments signal: the whole thread refetches.
    mutationFn: (body: string) => run(createMyComment({ resource_id: comment.id, resource_type: "COMMENT", body })),
    onSuccess: () => setMode("view"),
  });
  const edit = useMutation({
    mutationFn: (body: string) => run(updateMyComment({ id: comment.id, body })),
    onSuccess: () => setMode("view"),
  });
  const remove = useMutation({
    mutationFn: () => run(deleteMyComment({ id: comment.id })),
  });

  const edited = new Date(comment.updated_at).getTime() - new Date(comment.created_at).getTime() > 1000;

  return (
    <li className="space-y-3">
      <div id={`comment-${comment.id}`} data-testid={`comment-${comment.id}`} data-depth={level} className="rounded-lg border border-slate-200 bg-white p-3">
        <div className="mb-1 flex flex-wrap items-center gap-x-2 text-sm">
          <Link href={`/@${comment.author.username}`} className="font-medium text-slate-800 hover:underline">
            {comment.author.name || comment.author.username}
          </Link>
          <span className="text-slate-400">@{comment.author.username}</span>
          <Time value={comment.created_at} />
          {edited ? <span className="text-xs text-slate-400">(edited)</span> : null}
        </div>

        {mode === "edit" ? (
          <CommentForm
            label="Edit comment"
            submitLabel="Save"
            initialBody={comment.body}
            onSubmit={(body) => edit.mutateAsync(body)}
            onCancel={() => {
              edit.reset();
              setMode("view");
            }}
            isPending={edit.isPending}
            error={edit.error}
            autoFocus
          />
        ) : (
          <p className="whitespace-pre-wrap break-words text-sm text-slate-800">{comment.body}</p>
        )}

        <div className="mt-2 flex flex-wrap items-center justify-between gap-2">
          <ReactionBar resource_id={comment.id} resource_type="COMMENT" root={root} size="sm" />
          <div className="flex gap-3">
            {canReply ? (
              <button type="button" className={button.link} onClick={() => setMode(mode === "reply" ? "view" : "reply")}>
                Reply
              </button>
            ) : null}
            {isOwn ? (
              <>
                <button type="button" className={button.link} onClick={() => setMode(mode === "edit" ? "view" : "edit")}>
                  Edit
                </button>
                <button
                  type="button"
                  className="text-sm font-medium text-red-600 hover:underline disabled:opacity-50"
                  disabled={remove.isPending}
                  onClick={() => remove.mutate()}
                >
                  Delete
                </button>
              </>
            ) : null}
          </div>
        </div>
        <ErrorMessage error={remove.error} className="mt-2" />

        {mode === "reply" ? (
          <div className="mt-3">
            <CommentForm
              label="Write a reply"
              submitLabel="Post reply"
              onSubmit={(body) => reply.mutateAsync(body)}
              onCancel={() => {
                reply.reset();
                setMode("view");
              }}
              isPending={reply.isPending}
              error={reply.error}
              autoFocus
            />
          </div>
        ) : null}
      </div>

      {replies.length > 0 ? (
        <ul aria-label={`Replies to comment ${comment.id}`} className="space-y-3 border-l-2 border-slate-200 pl-3 sm:pl-5">
          {replies.map((child) => (
            <CommentItem key={child.comment.id} node={child} root={root} />
          ))}
        </ul>
      ) : null}
    </li>
  );
}
