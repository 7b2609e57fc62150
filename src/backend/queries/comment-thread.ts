import "server-only";
import { and, asc, eq, inArray } from "drizzle-orm";
import type { Db } from "@/db/client";
import { comments, reactions, users } from "@/db/schema";
import type { Id } from "@/lib/ids";
import type { ResourceType, RootResourceType } from "@/lib/resource-types";

// Threads are at most MAX_COMMENT_DEPTH deep; the larger bound only stops a walk over corrupt data.
const MAX_LEVELS = 16;

/**
 * Breadth-first over a thread: one IN query per level (a thread of thousands is still a handful
 * of queries, never one per comment).
 */
async function walkLevels<T extends { id: Id }>(
  fetchLevel: (type: ResourceType, parentIds: Id[]) => Promise<T[]>,
  startType: ResourceType,
  startIds: Id[],
): Promise<T[][]> {
  const levels: T[][] = [];
  let type = startType;
  let ids = startIds;
  while (ids.length > 0 && levels.length < MAX_LEVELS) {
    const rows = await fetchLevel(type, ids);
    if (rows.length === 0) break;
    levels.push(rows);
    type = "COMMENT";
    ids = rows.map((r) => r.id);
  }
  return levels;
}

export type ThreadComment = {
  id: Id;
  body: string;
  resource_id: Id;
  resource_type: ResourceType;
  parent_id: Id | null;
  depth: number;
  created_at: Date;
  updated_at: Date;
  author: { id: Id; username: string; name: string };
};

/** Comments joined with their authors, selecting what a ThreadComment needs (parent_id and depth are derived). */
function selectThreadRows(db: Db) {
  return db
    .select({
      id: comments.id,
      body: comments.body,
      resource_id: comments.resource_id,
      resource_type: comments.resource_type,
      created_at: comments.created_at,
      updated_at: comments.updated_at,
      author: { id: users.id, username: users.username, name: users.name },
    })
    .from(comments)
    .innerJoin(users, eq(users.id, comments.user_id));
}

function toThreadComment(row: Omit<ThreadComment, "parent_id" | "depth">, depth: number): ThreadComment {
  return { ...row, parent_id: row.resource_type === "COMMENT" ? row.resource_id : null, depth };
}

/** One comment with its author, at the given depth of its thread. */
export async function loadThreadComment(db: Db, id: Id, depth: number): Promise<ThreadComment> {
  const [row] = await selectThreadRows(db).where(eq(comments.id, id));
  return toThreadComment(row, depth);
}

/**
 * Every comment of a thread, flat, in reading order: each comment is followed by its replies, siblings oldest first.
 * Ids are random UUIDs, so they only break ties between comments of the same instant (deterministically, but not in
 * insertion order): rows that must keep an order are written with distinct created_at (see seed.ts).
 */
export async function loadThread(db: Db, rootType: RootResourceType, rootId: Id): Promise<ThreadComment[]> {
  const levels = await walkLevels(
    (type, parentIds) =>
      selectThreadRows(db)
        .where(and(eq(comments.resource_type, type), inArray(comments.resource_id, parentIds)))
        .orderBy(asc(comments.created_at), asc(comments.id)),
    rootType,
    [rootId],
  );
  const children = new Map<Id | null, ThreadComment[]>();
  levels.forEach((rows, i) => {
    for (const row of rows) {
      const c = toThreadComment(row, i + 1);
      const siblings = children.get(c.parent_id) ?? [];
      siblings.push(c);
      children.set(c.parent_id, siblings);
    }
  });
  const out: ThreadComment[] = [];
  const visit = (parent: Id | null) => {
    for (const c of children.get(parent) ?? []) {
      out.push(c);
      visit(c.id);
    }
  };
  visit(null);
  return out;
}

/** Ids of every reply below the given comments (not including them). */
export async function replyIdsBelow(db: Db, commentIds: Id[]): Promise<Id[]> {
  const levels = await walkLevels(
    (type, parentIds) =>
      db
        .select({ id: comments.id })
        .from(comments)
        .where(and(eq(comments.resource_type, type), inArray(comments.resource_id, parentIds))),
    "COMMENT",
    commentIds,
  );
  return levels.flat().map((r) => r.id);
}

/** Comment count of each root's whole thread (replies included), for feeds. */
export async function countThreads(db: Db, rootType: RootResourceType, rootIds: Id[]): Promise<Map<Id, number>> {
  const counts = new Map<Id, number>();
  if (rootIds.length === 0) return counts;
  const rootOf = new Map<Id, Id>();
  await walkLevels(
    async (type, parentIds) => {
      const rows = await db
        .select({ id: comments.id, resource_id: comments.resource_id })
        .from(comments)
        .where(and(eq(comments.resource_type, type), inArray(comments.resource_id, parentIds)));
      for (const r of rows) {
        const root = type === "COMMENT" ? rootOf.get(r.resource_id)! : r.resource_id;
        rootOf.set(r.id, root);
        counts.set(root, (counts.get(root) ?? 0) + 1);
      }
      return rows;
    },
    rootType,
    rootIds,
  );
  return counts;
}

/** Deletes the given comments, all replies below them and every reaction on any of them. */
export async function deleteCommentsDeep(db: Db, commentIds: Id[]): Promise<Id[]> {
  if (commentIds.length === 0) return [];
  const all = [...commentIds, ...(await replyIdsBelow(db, commentIds))];
  await db.delete(reactions).where(and(eq(reactions.resource_type, "COMMENT"), inArray(reactions.resource_id, all)));
  await db.delete(comments).where(inArray(comments.id, all));
  return all;
}

/** Removes what hangs off deleted articles or gists by a polymorphic id (no foreign key to cascade). */
export async function deleteRootDependents(db: Db, rootType: RootResourceType, rootIds: Id[]): Promise<void> {
  if (rootIds.length === 0) return;
  const top = await db
    .select({ id: comments.id })
    .from(comments)
    .where(and(eq(comments.resource_type, rootType), inArray(comments.resource_id, rootIds)));
  await deleteCommentsDeep(
    db,
    top.map((r) => r.id),
  );
  await db.delete(reactions).where(and(eq(reactions.resource_type, rootType), inArray(reactions.resource_id, rootIds)));
}
