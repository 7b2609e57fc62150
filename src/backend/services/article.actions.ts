"use server";

import { and, desc, eq, inArray, like, or } from "drizzle-orm";
import { z } from "zod";
import { type Db, getDb } from "@/db/client";
import { articleTag, articles, bookmarks, tags, users } from "@/db/schema";
import { ActionError, type ActionResult, runAction } from "@/backend/action-result";
import { getSession } from "@/backend/services/session.actions";
import { requireUser } from "@/backend/current-user";
import { assertReadable, canReadResource } from "@/backend/permissions";
import { slugify } from "@/backend/slugify";
import {
  type ArticleDetail,
  type ArticleSummary,
  articleDetail,
  publishedPage,
  setArticleTags,
  summariesWhere,
} from "@/backend/queries/articles";
import { deleteRootDependents } from "@/backend/queries/comment-thread";
import { publishInvalidate } from "@/backend/realtime/server";
import { type ArticleState, articleChangeSignals, articleState } from "@/backend/realtime/signals";
import { stampVersions } from "@/backend/realtime/versions";
import { type Id, Uuid } from "@/lib/ids";

export type { ArticleDetail, ArticleSummary };

const Title = z.string().trim().min(1, "Title is required").max(200, "Title is at most 200 characters");
const Body = z.string().max(100_000, "Body is at most 100000 characters");
const Excerpt = z.string().trim().max(300, "Excerpt is at most 300 characters");
const TagList = z
  .array(
    z
      .string()
      .trim()
      .toLowerCase()
      .regex(/^[a-z0-9][a-z0-9-]{0,29}$/, "Tags use letters, digits and dashes, at most 30 characters"),
  )
  .max(5, "At most 5 tags")
  .transform((list) => [...new Set(list)]);
const NoInput = z.object({}).optional();

export async function articleFeed(input: { cursor?: string } = {}): Promise<ActionResult<ArticleSummary[]>> {
  return runAction(z.object({ cursor: Uuid.optional() }), input, async ({ cursor }) =>
    publishedPage(await getDb(), undefined, cursor),
  );
}

export async function userArticleFeed(input: { user_id: string; cursor?: string }): Promise<ActionResult<ArticleSummary[]>> {
  return runAction(z.object({ user_id: Uuid, cursor: Uuid.optional() }), input, async ({ user_id, cursor }) =>
    publishedPage(await getDb(), eq(articles.author_id, user_id), cursor),
  );
}

export async function tagArticles(input: { tag_id: string; cursor?: string }): Promise<ActionResult<ArticleSummary[]>> {
  return runAction(z.object({ tag_id: Uuid, cursor: Uuid.optional() }), input, async ({ tag_id, cursor }) => {
    const db = await getDb();
    const tagged = db.select({ id: articleTag.article_id }).from(articleTag).where(eq(articleTag.tag_id, tag_id));
    return publishedPage(db, inArray(articles.id, tagged), cursor);
  });
}

export async function getTag(input: { name: string }): Promise<ActionResult<{ id: Id; name: string }>> {
  return runAction(z.object({ name: z.string().trim().toLowerCase().min(1).max(30) }), input, async ({ name }) => {
    const db = await getDb();
    const [tag] = await db.select({ id: tags.id, name: tags.name }).from(tags).where(eq(tags.name, name));
    if (!tag) throw new ActionError("NOT_FOUND", "No such tag.");
    return tag;
  });
}

export async function getArticle(input: { username: string; handle: string }): Promise<ActionResult<ArticleDetail>> {
  const schema = z.object({ username: z.string().trim().min(1).max(50), handle: z.string().trim().min(1).max(100) });
  return runAction(schema, input, async ({ username, handle }) => {
    const db = await getDb();
    const [row] = await db
      .select({ id: articles.id })
      .from(articles)
      .innerJoin(users, eq(users.id, articles.author_id))
      .where(and(eq(users.username, username), eq(articles.handle, handle)));
    if (!row || !(await canReadResource(await getSession(), "ARTICLE", row.id))) {
      throw new ActionError("NOT_FOUND", "No such article.");
    }
    return (await articleDetail(db, row.id))!;
  });
}

/** The caller's drafts and published articles, most recently edited first. */
export async function myArticles(input: Record<string, never> = {}): Promise<ActionResult<ArticleSummary[]>> {
  return runAction(NoInput, input, async () => {
    const me = await requireUser();
    return summariesWhere(await getDb(), eq(articles.author_id, me.id), [desc(articles.updated_at), desc(articles.id)]);
  });
}

const CreateInput = z.object({ title: Title, body: Body, excerpt: Excerpt.optional(), tags: TagList.optional() });

/** Creates a draft; the handle comes from the title and is made unique among the author's articles. */
export async function createMyArticle(input: z.input<typeof CreateInput>): Promise<ActionResult<ArticleDetail>> {
  return runAction(CreateInput, input, async ({ title, body, excerpt, tags: tagNames }) => {
    const me = await requireUser();
    const db = await getDb();
    const { created, announced } = await db.transaction(async (tx) => {
      const base = slugify(title);
      const taken = new Set(
        (
          await tx
            .select({ handle: articles.handle })
            .from(articles)
            .where(and(eq(articles.author_id, me.id), or(eq(articles.handle, base), like(articles.handle, `${base}-%`))))
        ).map((r) => r.handle),
      );
      // A concurrent create can take the same handle between the check and the insert; the unique
      // index then skips the row and the next suffix is tried.
      for (let n = 1; n < 1000; n++) {
        const handle = n === 1 ? base : `${base}-${n}`;
        if (taken.has(handle)) continue;
        const [row] = await tx
          .insert(articles)
          .values({ title, body, excerpt: excerpt ?? "", handle, author_id: me.id })
          .onConflictDoNothing()
          .returning({ id: articles.id });
        if (row) {
          await setArticleTags(tx, row.id, tagNames ?? []);
          const created = (await articleDetail(tx, row.id))!;
          return { created, announced: await stampVersions(tx, articleChangeSignals(null, articleState(created))) };
        }
      }
      throw new ActionError("CONFLICT", "Could not find a free handle for this title.");
    });
    publishInvalidate(announced);
    return created;
  });
}

/** Loads an article the caller may change: hidden ones are NOT_FOUND, readable foreign ones FORBIDDEN. */
async function ownArticle(id: Id) {
  const me = await requireUser();
  const session = await getSession();
  await assertReadable(session, "ARTICLE", id);
  const db = await getDb();
  const [row] = await db.select().from(articles).where(eq(articles.id, id));
  if (!row) throw new ActionError("NOT_FOUND", "No such article.");
  if (row.author_id !== me.id) throw new ActionError("FORBIDDEN", "You can only change your own articles.");
  return { db, me, row };
}

/** Who could see the article before a write, for the signals announcing what the write changed. */
async function stateBefore(db: Db, row: typeof articles.$inferSelect): Promise<ArticleState> {
  const tagRows = await db.select({ id: articleTag.tag_id }).from(articleTag).where(eq(articleTag.article_id, row.id));
  return { id: row.id, author_id: row.author_id, published: row.published_at !== null, tag_ids: tagRows.map((t) => t.id) };
}

async function bookmarkerIds(db: Db, articleId: Id): Promise<Id[]> {
  const rows = await db
    .select({ user_id: bookmarks.user_id })
    .from(bookmarks)
    .where(and(eq(bookmarks.resource_type, "ARTICLE"), eq(bookmarks.resource_id, articleId)));
  return rows.map((r) => r.user_id);
}

const UpdateInput = z.object({
  id: Uuid,
  title: Title.optional(),
  body: Body.optional(),
  excerpt: Excerpt.optional(),
  tags: TagList.optional(),
});

/** Edits fields; the handle stays as it was so existing links keep working. */
export async function updateMyArticle(input: z.input<typeof UpdateInput>): Promise<ActionResult<ArticleDetail>> {
  return runAction(UpdateInput, input, async ({ id, tags: tagNames, ...fields }) => {
    const { db, row } = await ownArticle(id);
    const before = await stateBefore(db, row);
    const { after, announced } = await db.transaction(async (tx) => {
      await tx
        .update(articles)
        .set({ ...fields, updated_at: new Date() })
        .where(eq(articles.id, id));
      if (tagNames) await setArticleTags(tx, id, tagNames);
      const after = (await articleDetail(tx, id))!;
      return { after, announced: await stampVersions(tx, articleChangeSignals(before, articleState(after), await bookmarkerIds(tx, id))) };
    });
    publishInvalidate(announced);
    return after;
  });
}

const PublishInput = z.object({ id: Uuid, published: z.boolean() });

export async function setArticlePublished(input: z.input<typeof PublishInput>): Promise<ActionResult<ArticleDetail>> {
  return runAction(PublishInput, input, async ({ id, published }) => {
    const { db, row } = await ownArticle(id);
    const before = await stateBefore(db, row);
    // Re-publishing keeps the original date so the article does not jump to the top of feeds.
    const published_at = published ? (row.published_at ?? new Date()) : null;
    const { after, announced } = await db.transaction(async (tx) => {
      await tx.update(articles).set({ published_at, updated_at: new Date() }).where(eq(articles.id, id));
      const after = (await articleDetail(tx, id))!;
      return { after, announced: await stampVersions(tx, articleChangeSignals(before, articleState(after), await bookmarkerIds(tx, id))) };
    });
    // Unpublishing takes readers' access away: the signal makes their open page refetch, meet NOT_FOUND, and leave.
    publishInvalidate(announced);
    return after;
  });
}

export async function deleteMyArticle(input: { id: string }): Promise<ActionResult<{ id: Id; author_id: Id; tag_ids: Id[] }>> {
  return runAction(z.object({ id: Uuid }), input, async ({ id }) => {
    const { db, row } = await ownArticle(id);
    const before = await stateBefore(db, row);
    const bookmarkers = await bookmarkerIds(db, id);
    const announced = await db.transaction(async (tx) => {
      await deleteRootDependents(tx, "ARTICLE", [id]);
      await tx.delete(bookmarks).where(and(eq(bookmarks.resource_type, "ARTICLE"), eq(bookmarks.resource_id, id)));
      await tx.delete(articles).where(eq(articles.id, id));
      return stampVersions(tx, articleChangeSignals(before, null, bookmarkers));
    });
    publishInvalidate(announced);
    return { id, author_id: row.author_id, tag_ids: [...before.tag_ids] };
  });
}
