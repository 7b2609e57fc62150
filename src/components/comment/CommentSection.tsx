"use client";

import Link from "next/link";
import { useMemo } from "react";
import { useMutation, useQuery } from "@tanstack/react-query";
import { createMyComment, getComments } from "@/backend/services/comment.action";
import { unwrap } from "@/lib/action-result";
import { queryKeys } from "@/lib/query-keys";
import { useResourceChannel, useServerAction } from "@/components/providers/RealtimeProvider";
import type { RootResourceType } from "@/lib/resource-types";
import { useCurrentUser } from "@/components/session/CurrentUser";
import { ErrorMessage } from "@/components/ui/ErrorMessage";
import { Loading } from "@/components/ui/Loading";
import { CommentForm } from "./CommentForm";
import { CommentItem, type CommentView } from "./CommentItem";
import { buildCommentTree } from "./comment-tree";

/**
 * The whole thread of an article or gist, from ONE `["comments", id, type]` query. It joins the resource's channel,
 * where every change in the thread (replies at any depth included) is announced, so it refetches that query.
 */
export function CommentSection({ resource_id, resource_type }: { resource_id: string; resource_type: RootResourceType }) {
  useResourceChannel(resource_type, resource_id);
  const user = useCurrentUser();
  const run = useServerAction();
  const comments = useQuery({
    queryKey: queryKeys.comments(resource_id, resource_type),
    queryFn: async (): Promise<CommentView[]> => unwrap(await getComments({ resource_id, resource_type })),
  });
  const create = useMutation({
    mutationFn: (body: string) => run(createMyComment({ resource_id, resource_type, body })),
  });
  const tree = useMemo(() => buildCommentTree(comments.data ?? []), [comments.data]);

  return (
    <section aria-labelledby="comments-heading" className="mt-10">
      <h2 id="comments-heading" className="mb-4 text-lg font-semibold">
        Comments{comments.data ? ` (${comments.data.length})` : ""}
      </h2>

      {user ? (
        <div className="mb-6">
          <CommentForm
            label="Write a comment"
            submitLabel="Post comment"
            onSubmit={(body) => create.mutateAsync(body)}
            isPending={create.isPending}
            error={create.error}
          />
        </div>
      ) : (
        <p className="mb-6 text-sm text-slate-600">
          <Link href="/login" className="font-medium underline">
            Log in
          </Link>{" "}
          to join the conversation.
        </p>
      )}

      {comments.error ? (
        <ErrorMessage error={comments.error} />
      ) : comments.isPending ? (
        <Loading label="Loading comments…" />
      ) : tree.length === 0 ? (
        <p className="text-sm text-slate-500">No comments yet.</p>
      ) : (
        <ul className="space-y-4" aria-label="Comments">
          {tree.map((node) => (
            <CommentItem key={node.comment.id} node={node} root={{ resource_type, resource_id }} />
          ))}
        </ul>
      )}
    </section>
  );
}
