"use server";

import { eq } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "@/db/client";
import { comments } from "@/db/schema";
import { ActionError, type ActionResult, runAction } from "@/backend/action-result";
import { getSession } from "@/backend/services/session.actions";
import { requireUser } from "@/backend/current-user";
import { MAX_COMMENT_DEPTH, assertReadable, canReadResource, resolveCommentRoot } from "@/backend/permissions";
import { type ThreadComment, deleteCommentsDeep, loadThread, loadThreadComment } from "@/backend/queries/comment-thread";
import { requestNotification } from "@/lib/inngest";
import { type Id, Uuid } from "@/lib/ids";
import { RESOURCE_TYPES, ROOT_RESOURCE_TYPES, type RootResourceType } from "@/lib/resource-types";
import { publishInvalidate } from "@/backend/realtime/server";
import { commentThreadSignal } from "@/backend/realtime/signals";
import { stampVersions } from "@/backend/realtime/versions";

export type { ThreadComment };

const CommentBody = z
  .string()
  .trim()
  .min(1, "Comment cannot be empty")
  .max(5000, "Comment is at most 5000 characters");

type Root = { resource_type: RootResourceType; resource_id: Id };

/** The whole thread of an article or gist, flat, each comment with parent_id and depth (1 = top-level). */
export async function getComments(input: { resource_id: string; resource_type: RootResourceType }): Promise<ActionResult<ThreadComment[]>> {
  const schema = z.object({ resource_id: Uuid, resource_type: z.enum(ROOT_RESOURCE_TYPES) });
  return runAction(schema, input, async ({ resource_id, resource_type }) => {
    await assertReadable(await getSession(), resource_type, resource_id);
    return loadThread(await getDb(), resource_type, resource_id);
  });
}

const CreateInput = z.object({ resource_id: Uuid, resource_type: z.enum(RESOURCE_TYPES), body: CommentBody });

/** Comments on an article or gist, or replies (resource_type COMMENT) down to MAX_COMMENT_DEPTH. */
export async function createMyComment(
  input: z.input<typeof CreateInput>,
): Promise<ActionResult<ThreadComment & { root: Root }>> {
  return runAction(CreateInput, input, async ({ resource_id, resource_type, body }) => {
    const me = await requireUser();
    const session = await getSession();
    let root: Root;
    let depth = 1;
    if (resource_type === "COMMENT") {
      const parent = await resolveCommentRoot(resource_id);
      if (!parent || !(await canReadResource(session, parent.resource_type, parent.resource_id))) {
        throw new ActionError("NOT_FOUND", "No such comment.");
      }
      if (parent.depth >= MAX_COMMENT_DEPTH) {
        throw new ActionError("INVALID_INPUT", `Replies can be nested at most ${MAX_COMMENT_DEPTH} levels deep.`);
      }
      root = { resource_type: parent.resource_type, resource_id: parent.resource_id };
      depth = parent.depth + 1;
    } else {
      await assertReadable(session, resource_type, resource_id);
      root = { resource_type, resource_id };
    }
    const db = await getDb();
    const { row, announced } = await db.transaction(async (tx) => {
      const [row] = await tx
        .insert(comments)
        .values({ body, resource_id, resource_type, user_id: me.id })
        .returning({ id: comments.id });
      return { row, announced: await stampVersions(tx, commentThreadSignal(root)) };
    });
    // One notification per comment (event id and row key `comment-<id>`, from the data).
    requestNotification(
      resource_type === "COMMENT"
        ? { actor_id: me.id, kind: "reply", resource_type, resource_id, comment_id: row.id }
        : { actor_id: me.id, kind: "comment", resource_type, resource_id, comment_id: row.id },
    );
    publishInvalidate(announced);
    return { ...(await loadThreadComment(db, row.id, depth)), root };
  });
}

/** A comment the caller may change: hidden ones are NOT_FOUND, readable foreign ones FORBIDDEN. */
async function ownComment(id: Id) {
  const me = await requireUser();
  const root = await resolveCommentRoot(id);
  if (!root || !(await canReadResource(await getSession(), root.resource_type, root.resource_id))) {
    throw new ActionError("NOT_FOUND", "No such comment.");
  }
  const db = await getDb();
  const [row] = await db.select({ user_id: comments.user_id }).from(comments).where(eq(comments.id, id));
  if (!row) throw new ActionError("NOT_FOUND", "No such comment.");
  if (row.user_id !== me.id) throw new ActionError("FORBIDDEN", "You can only change your own comments.");
  return { db, root };
}

const UpdateInput = z.object({ id: Uuid, body: CommentBody });

export async function updateMyComment(input: z.input<typeof UpdateInput>): Promise<ActionResult<ThreadComment & { root: Root }>> {
  return runAction(UpdateInput, input, async ({ id, body }) => {
    const { db, root } = await ownComment(id);
    const threadRoot = { resource_type: root.resource_type, resource_id: root.resource_id };
    const announced = await db.transaction(async (tx) => {
      await tx.update(comments).set({ body, updated_at: new Date() }).where(eq(comments.id, id));
      return stampVersions(tx, commentThreadSignal(threadRoot));
    });
    publishInvalidate(announced);
    return { ...(await loadThreadComment(db, id, root.depth)), root: threadRoot };
  });
}

/** Deletes the caller's comment with every reply below it (and their reactions). */
export async function deleteMyComment(input: { id: string }): Promise<ActionResult<{ id: Id; deleted_ids: Id[]; root: Root }>> {
  return runAction(z.object({ id: Uuid }), input, async ({ id }) => {
    const { db, root } = await ownComment(id);
    const threadRoot = { resource_type: root.resource_type, resource_id: root.resource_id };
    const { deleted_ids, announced } = await db.transaction(async (tx) => ({
      deleted_ids: await deleteCommentsDeep(tx, [id]),
      announced: await stampVersions(tx, commentThreadSignal(threadRoot)),
    }));
    publishInvalidate(announced);
    return { id, deleted_ids, root: threadRoot };
  });
}
