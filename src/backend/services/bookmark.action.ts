"use server";

import { and, desc, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "@/db/client";
import { articles, bookmarks } from "@/db/schema";
import { type ActionResult, runAction } from "@/backend/action-result";
import { getSession } from "@/backend/services/session.actions";
import { requireUser } from "@/backend/current-user";
import { assertReadable } from "@/backend/permissions";
import { type ArticleSummary, readableBy, summariesWhere } from "@/backend/queries/articles";
import { publishInvalidate } from "@/backend/realtime/server";
import { stampVersions } from "@/backend/realtime/versions";
import { bookmarkSignal } from "@/backend/realtime/signals";
import { type Id, Uuid } from "@/lib/ids";

function bookmarkOf(userId: Id, articleId: Id) {
  return and(eq(bookmarks.user_id, userId), eq(bookmarks.resource_type, "ARTICLE"), eq(bookmarks.resource_id, articleId));
}

/** Whether the caller bookmarked an article; signed out is simply "not bookmarked". */
export async function bookmarkStatus(input: { resource_id: string }): Promise<ActionResult<{ bookmarked: boolean }>> {
  return runAction(z.object({ resource_id: Uuid }), input, async ({ resource_id }) => {
    const session = await getSession();
    await assertReadable(session, "ARTICLE", resource_id);
    if (!session.user) return { bookmarked: false };
    const db = await getDb();
    const [row] = await db.select({ id: bookmarks.id }).from(bookmarks).where(bookmarkOf(session.user.id, resource_id));
    return { bookmarked: !!row };
  });
}

export async function toggleResourceBookmark(input: { resource_id: string }): Promise<ActionResult<{ bookmarked: boolean }>> {
  return runAction(z.object({ resource_id: Uuid }), input, async ({ resource_id }) => {
    const me = await requireUser();
    await assertReadable(await getSession(), "ARTICLE", resource_id);
    const db = await getDb();
    const { bookmarked, announced } = await db.transaction(async (tx) => {
      const removed = await tx.delete(bookmarks).where(bookmarkOf(me.id, resource_id)).returning({ id: bookmarks.id });
      const bookmarked = removed.length === 0;
      if (bookmarked) {
        await tx.insert(bookmarks).values({ user_id: me.id, resource_type: "ARTICLE", resource_id }).onConflictDoNothing();
      }
      return { bookmarked, announced: await stampVersions(tx, bookmarkSignal(me.id, resource_id)) };
    });
    publishInvalidate(announced);
    return { bookmarked };
  });
}

/** The caller's bookmarked articles that they can still read (an unpublished one drops out), newest bookmark first. */
export async function myBookmarks(input: Record<string, never> = {}): Promise<ActionResult<ArticleSummary[]>> {
  return runAction(z.object({}).optional(), input, async () => {
    const me = await requireUser();
    const db = await getDb();
    const marks = await db
      .select({ id: bookmarks.resource_id })
      .from(bookmarks)
      .where(and(eq(bookmarks.user_id, me.id), eq(bookmarks.resource_type, "ARTICLE")))
      .orderBy(desc(bookmarks.created_at), desc(bookmarks.id));
    if (marks.length === 0) return [];
    const ids = marks.map((m) => m.id);
    const found = await summariesWhere(db, and(inArray(articles.id, ids), readableBy(me.id))!, []);
    const byId = new Map(found.map((a) => [a.id, a]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  });
}
