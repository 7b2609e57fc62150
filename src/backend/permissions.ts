import "server-only";
import { eq, sql } from "drizzle-orm";
import { getDb } from "@/db/client";
import { preparedPerDb } from "@/db/prepared";
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
  switch (type) {
    case "ARTICLE":
    case "GIST":
      return (await readableRootResources(session, type, [id])).has(id);
    case "COMMENT": {
      const root = await resolveCommentRoot(id);
      return root !== null && canReadResource(session, root.resource_type, root.resource_id);
    }
    default:
      return false;
  }
}

/**
 * The ids among `ids` of articles (or gists) the session may read, in one query: canReadResource's rule for a root
 * resource, for a tab authorizing several channels at once.
 */
export async function readableRootResources(session: SessionResult, type: RootResourceType, ids: readonly Id[]): Promise<Set<Id>> {
  const wanted = [...new Set(ids.filter(isUuid))];
  if (wanted.length === 0) return new Set();
  const viewer = session.user?.id ?? null;
  const db = await getDb();
  if (type === "ARTICLE") {
    const rows = await articlesByIds(db).execute({ ids: wanted });
    return new Set(rows.filter((r) => r.published_at !== null || r.author_id === viewer).map((r) => r.id));
  }
  const rows = await gistsByIds(db).execute({ ids: wanted });
  return new Set(rows.filter((r) => r.is_public || r.owner_id === viewer).map((r) => r.id));
}

// Prepared (src/db/prepared.ts): readableRootResources decides every resource channel the auth route signs, so it runs
// for each request of a reconnection storm. One array parameter: any number of ids is the same statement.
const articlesByIds = preparedPerDb((db) =>
  db
    .select({ id: articles.id, author_id: articles.author_id, published_at: articles.published_at })
    .from(articles)
    .where(sql`${articles.id} = any(${sql.placeholder("ids")})`)
    .prepare("readable_articles"),
);
const gistsByIds = preparedPerDb((db) =>
  db
    .select({ id: gists.id, owner_id: gists.owner_id, is_public: gists.is_public })
    .from(gists)
    .where(sql`${gists.id} = any(${sql.placeholder("ids")})`)
    .prepare("readable_gists"),
);

const LABEL: Record<ResourceType, string> = { ARTICLE: "article", GIST: "gist", COMMENT: "comment" };

/** Refuses with NOT_FOUND, the same answer as for a missing id, so hidden resources do not leak. */
export async function assertReadable(session: SessionResult, type: ResourceType, id: Id): Promise<void> {
  if (!(await canReadResource(session, type, id))) throw new ActionError("NOT_FOUND", `No such ${LABEL[type]}.`);
}
