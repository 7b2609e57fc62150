import "server-only";
import { eq } from "drizzle-orm";
import { getDb } from "@/db/client";
import { articles, comments, gists } from "@/db/schema";
import { ActionError } from "@/backend/action-result";
import type { SessionResult } from "@/backend/session-store";
import { type Id, isUuid } from "@/lib/ids";
import type { ResourceType, RootResourceType } from "@/lib/resource-types";

/** A top-level comment has depth 1; a comment at this depth cannot be replied to. */
export const MAX_COMMENT_DEPTH = 3;
// Stops the parent walk on corrupt data (a cycle); a real thread is never deeper than MAX_COMMENT_DEPTH.
const MAX_WALK = 16;

export type CommentRoot = { resource_type: RootResourceType; resource_id: Id; depth: number };

/** The article or gist a comment's thread hangs off, and the comment's depth in it (1 = top-level). */
export async function resolveCommentRoot(commentId: Id): Promise<CommentRoot | null> {
  // Not a UUID: no such comment, and no query (Postgres would refuse the malformed value with an error).
  if (!isUuid(commentId)) return null;
  const db = await getDb();
  let id = commentId;
  for (let depth = 1; depth <= MAX_WALK; depth++) {
    const [row] = await db
      .select({ resource_type: comments.resource_type, resource_id: comments.resource_id })
      .from(comments)
      .where(eq(comments.id, id));
    if (!row) return null;
    if (row.resource_type !== "COMMENT") return { resource_type: row.resource_type, resource_id: row.resource_id, depth };
    id = row.resource_id;
  }
  return null;
}

/**
 * The one read rule, shared by pages, read actions and the realtime channel authorizer:
 * published articles and public gists are anyone's; drafts and private gists only their owner's;
 * a comment is readable exactly when its thread's root is. Unknown ids are unreadable.
 */
export async function canReadResource(session: SessionResult, type: ResourceType, id: Id): Promise<boolean> {
  if (!isUuid(id)) return false;
  const viewer = session.user?.id ?? null;
  const db = await getDb();
  switch (type) {
    case "ARTICLE": {
      const [row] = await db
        .select({ author_id: articles.author_id, published_at: articles.published_at })
        .from(articles)
        .where(eq(articles.id, id));
      return !!row && (row.published_at !== null || row.author_id === viewer);
    }
    case "GIST": {
      const [row] = await db
        .select({ owner_id: gists.owner_id, is_public: gists.is_public })
        .from(gists)
        .where(eq(gists.id, id));
      return !!row && (row.is_public || row.owner_id === viewer);
    }
    case "COMMENT": {
      const root = await resolveCommentRoot(id);
      return root !== null && canReadResource(session, root.resource_type, root.resource_id);
    }
    default:
      return false;
  }
}

const LABEL: Record<ResourceType, string> = { ARTICLE: "article", GIST: "gist", COMMENT: "comment" };

/** Refuses with NOT_FOUND, the same answer as for a missing id, so hidden resources do not leak. */
export async function assertReadable(session: SessionResult, type: ResourceType, id: Id): Promise<void> {
  if (!(await canReadResource(session, type, id))) throw new ActionError("NOT_FOUND", `No such ${LABEL[type]}.`);
}
