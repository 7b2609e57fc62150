import "server-only";
import { and, asc, count, desc, eq, inArray, isNotNull, or, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { articleTag, articles, reactions, tags, users } from "@/db/schema";
import type { Id } from "@/lib/ids";
import { countThreads } from "./comment-thread";

export const FEED_PAGE_SIZE = 20;

export type AuthorRef = { id: Id; username: string; name: string };
export type TagRef = { id: Id; name: string };

export type ArticleSummary = {
  id: Id;
  title: string;
  handle: string;
  excerpt: string;
  published_at: Date | null;
  created_at: Date;
  updated_at: Date;
  author: AuthorRef;
  tags: TagRef[];
  comment_count: number;
  reaction_count: number;
};

export type ArticleDetail = ArticleSummary & { body: string };

const summaryColumns = {
  id: articles.id,
  title: articles.title,
  handle: articles.handle,
  excerpt: articles.excerpt,
  published_at: articles.published_at,
  created_at: articles.created_at,
  updated_at: articles.updated_at,
  author: { id: users.id, username: users.username, name: users.name },
};

export const isPublished = isNotNull(articles.published_at);

/** Published articles, or also the viewer's own drafts. */
export function readableBy(viewerId: Id | null): SQL {
  return viewerId === null ? isPublished : or(isPublished, eq(articles.author_id, viewerId))!;
}

type BaseRow = Omit<ArticleSummary, "tags" | "comment_count" | "reaction_count">;

/** Adds tags and counts with one query each for the whole page. */
async function decorate<R extends BaseRow>(db: Db, rows: R[]): Promise<Array<R & Omit<ArticleSummary, keyof BaseRow>>> {
  const ids = rows.map((r) => r.id);
  if (ids.length === 0) return [];
  const [tagRows, reactionRows, commentCounts] = await Promise.all([
    db
      .select({ article_id: articleTag.article_id, id: tags.id, name: tags.name })
      .from(articleTag)
      .innerJoin(tags, eq(tags.id, articleTag.tag_id))
      .where(inArray(articleTag.article_id, ids))
      .orderBy(asc(tags.name)),
    db
      .select({ id: reactions.resource_id, n: count() })
      .from(reactions)
      .where(and(eq(reactions.resource_type, "ARTICLE"), inArray(reactions.resource_id, ids)))
      .groupBy(reactions.resource_id),
    countThreads(db, "ARTICLE", ids),
  ]);
  const tagsOf = new Map<Id, TagRef[]>();
  for (const { article_id, id, name } of tagRows) tagsOf.set(article_id, [...(tagsOf.get(article_id) ?? []), { id, name }]);
  const reactionsOf = new Map(reactionRows.map((x) => [x.id, Number(x.n)]));
  return rows.map((r) => ({
    ...r,
    tags: tagsOf.get(r.id) ?? [],
    comment_count: commentCounts.get(r.id) ?? 0,
    reaction_count: reactionsOf.get(r.id) ?? 0,
  }));
}

/**
 * A page of articles newest-published first. `cursor` is the id of the last article of the
 * previous page (keyset pagination: stable while new articles are published). Articles published at the same
 * instant follow in id order: random with UUIDs, but the same on every page, so no article is skipped or repeated.
 */
export async function publishedPage(db: Db, where: SQL | undefined, cursor?: Id): Promise<ArticleSummary[]> {
  const after =
    cursor === undefined
      ? undefined
      : sql`(${articles.published_at}, ${articles.id}) < (select c.published_at, c.id from articles c where c.id = ${cursor})`;
  const rows = await db
    .select(summaryColumns)
    .from(articles)
    .innerJoin(users, eq(users.id, articles.author_id))
    .where(and(isPublished, where, after))
    .orderBy(desc(articles.published_at), desc(articles.id))
    .limit(FEED_PAGE_SIZE);
  return decorate(db, rows);
}

/** Summaries for a custom query (dashboard, bookmarks), in the order given. */
export async function summariesWhere(db: Db, where: SQL, order: SQL[]): Promise<ArticleSummary[]> {
  const rows = await db
    .select(summaryColumns)
    .from(articles)
    .innerJoin(users, eq(users.id, articles.author_id))
    .where(where)
    .orderBy(...order);
  return decorate(db, rows);
}

export async function articleDetail(db: Db, id: Id): Promise<ArticleDetail | null> {
  const [row] = await db
    .select({ ...summaryColumns, body: articles.body })
    .from(articles)
    .innerJoin(users, eq(users.id, articles.author_id))
    .where(eq(articles.id, id));
  if (!row) return null;
  const [detail] = await decorate(db, [row]);
  return detail;
}

/** Replaces an article's tags, creating unknown tag names. */
export async function setArticleTags(db: Db, articleId: Id, names: string[]): Promise<void> {
  await db.delete(articleTag).where(eq(articleTag.article_id, articleId));
  if (names.length === 0) return;
  await db
    .insert(tags)
    .values(names.map((name) => ({ name })))
    .onConflictDoNothing();
  const rows = await db.select({ id: tags.id }).from(tags).where(inArray(tags.name, names));
  await db
    .insert(articleTag)
    .values(rows.map((t) => ({ article_id: articleId, tag_id: t.id })))
    .onConflictDoNothing();
}
