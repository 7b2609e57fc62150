import { describe, expect, it } from "vitest";
import { and, eq, inArray } from "drizzle-orm";
import type { Db } from "@/db/client";
import { articleTag, articles, bookmarks, comments, reactions, tags } from "@/db/schema";
import {
  articleFeed,
  createMyArticle,
  deleteMyArticle,
  getArticle,
  getTag,
  myArticles,
  setArticlePublished,
  tagArticles,
  updateMyArticle,
  userArticleFeed,
} from "@/backend/services/article.actions";
import { signInAs, signOut } from "../helpers/db";
import { MALFORMED_IDS, MISSING_ID, type Seeded, failure, ok, rowCounts, setupSeededDb } from "./fixtures";

let db: Db;
let s: Seeded;
setupSeededDb((r) => ({ db, s } = r));

const articleRow = async (id: string) => (await db.select().from(articles).where(eq(articles.id, id)))[0];
const written = () => rowCounts(articles, articleTag, tags, comments, reactions, bookmarks);

describe("article reads", () => {
  it("feeds published articles only, with author, tags and counts", async () => {
    const feed = ok(await articleFeed({}));
    expect(feed.map((a) => a.id)).toContain(s.hello);
    expect(feed.map((a) => a.id)).not.toContain(s.draft);
    const hello = feed.find((a) => a.id === s.hello)!;
    expect(hello.author).toEqual({ id: s.alice, username: "alice", name: "Alice Rahman" });
    expect(hello.tags.map((t) => t.name)).toEqual(["nextjs", "realtime"]);
    // Whole thread: bob's comment, alice's reply, carol's nested reply and carol's own comment.
    expect(hello.comment_count).toBe(4);
    expect(hello.reaction_count).toBe(2);
  });

  it("pages with the last id as cursor", async () => {
    await signInAs("bob");
    const older = ok(await createMyArticle({ title: "Older one", body: "x" }));
    await db.update(articles).set({ published_at: new Date("2025-01-01T00:00:00Z") }).where(eq(articles.id, older.id));
    signOut();
    const first = ok(await articleFeed({}));
    expect(first.map((a) => a.id).slice(0, 2)).toEqual([s.hello, older.id]);
    expect(ok(await articleFeed({ cursor: s.hello })).map((a) => a.id)).toEqual([older.id]);
    expect(ok(await articleFeed({ cursor: older.id }))).toEqual([]);
    // A cursor is a UUID: upper case is the same id, anything else is refused before a query.
    expect(ok(await articleFeed({ cursor: ` ${s.hello.toUpperCase()} ` })).map((a) => a.id)).toEqual([older.id]);
    for (const cursor of MALFORMED_IDS) expect(failure(await articleFeed({ cursor }), "INVALID_INPUT"), cursor).toMatch(/cursor: must be a UUID/);
    await db.delete(articles).where(eq(articles.id, older.id));
  });

  it("orders articles published at the same instant by id, so paging neither skips nor repeats one", async () => {
    await signInAs("bob");
    const when = new Date("2024-06-01T00:00:00Z");
    const twins = [];
    for (let i = 0; i < 25; i++) twins.push(ok(await createMyArticle({ title: `Twin ${i}`, body: "x" })).id);
    await db.update(articles).set({ published_at: when }).where(inArray(articles.id, twins));
    signOut();
    const feed = ok(await userArticleFeed({ user_id: s.bob }));
    expect(feed).toHaveLength(20);
    const rest = ok(await userArticleFeed({ user_id: s.bob, cursor: feed[19].id }));
    const paged = [...feed, ...rest].map((a) => a.id);
    expect(paged).toEqual([...twins].sort().reverse());
    await db.delete(articles).where(inArray(articles.id, twins));
  });

  it("lists a user's and a tag's published articles", async () => {
    expect(ok(await userArticleFeed({ user_id: s.alice })).map((a) => a.handle)).toEqual(["hello-realtime"]);
    expect(ok(await userArticleFeed({ user_id: s.carol }))).toEqual([]);
    expect(ok(await userArticleFeed({ user_id: s.alice.toUpperCase() })).map((a) => a.handle)).toEqual(["hello-realtime"]);
    expect(ok(await userArticleFeed({ user_id: MISSING_ID }))).toEqual([]);
    failure(await userArticleFeed({ user_id: "12" }), "INVALID_INPUT");
    const tag = ok(await getTag({ name: "nextjs" }));
    expect(ok(await tagArticles({ tag_id: tag.id })).map((a) => a.id)).toEqual([s.hello]);
    failure(await tagArticles({ tag_id: "not-a-uuid" }), "INVALID_INPUT");
    failure(await getTag({ name: "no-such-tag" }), "NOT_FOUND");
  });

  it("shows a draft to its author only", async () => {
    expect(ok(await getArticle({ username: "alice", handle: "hello-realtime" })).body).toContain("signal");
    failure(await getArticle({ username: "alice", handle: "alice-draft" }), "NOT_FOUND");
    await signInAs("bob");
    failure(await getArticle({ username: "alice", handle: "alice-draft" }), "NOT_FOUND");
    await signInAs("alice");
    expect(ok(await getArticle({ username: "alice", handle: "alice-draft" })).published_at).toBeNull();
    failure(await getArticle({ username: "bob", handle: "hello-realtime" }), "NOT_FOUND");
  });

  it("lists the caller's drafts and published articles on the dashboard", async () => {
    failure(await myArticles(), "UNAUTHORIZED");
    await signInAs("alice");
    expect(ok(await myArticles()).map((a) => a.handle).sort()).toEqual(["alice-draft", "hello-realtime"]);
    await signInAs("carol");
    expect(ok(await myArticles())).toEqual([]);
  });
});

describe("createMyArticle", () => {
  it("creates a draft with a unique slugified handle and normalized tags", async () => {
    await signInAs("alice");
    const a = ok(await createMyArticle({ title: "Hello, Realtime!", body: "again", tags: ["Postgres", "new-tag", "postgres"] }));
    expect(a.handle).toBe("hello-realtime-2");
    expect(a.published_at).toBeNull();
    expect(a.author.username).toBe("alice");
    expect(a.tags.map((t) => t.name)).toEqual(["new-tag", "postgres"]);
    const b = ok(await createMyArticle({ title: "Hello realtime", body: "and again" }));
    expect(b.handle).toBe("hello-realtime-3");
    // Handles are unique per author, not globally.
    await signInAs("bob");
    expect(ok(await createMyArticle({ title: "Hello realtime", body: "bob's" })).handle).toBe("hello-realtime");
    expect(ok(await articleFeed({})).map((x) => x.id)).not.toContain(a.id);
  });

  it("refuses invalid input with a clear message and writes nothing", async () => {
    await signInAs("alice");
    const before = await written();
    expect(failure(await createMyArticle({ title: "   ", body: "x" }), "INVALID_INPUT")).toMatch(/title/i);
    expect(failure(await createMyArticle({ title: "ok", body: "x", tags: ["no spaces!"] }), "INVALID_INPUT")).toMatch(/tags/i);
    expect(failure(await createMyArticle({ title: "ok", body: "x", tags: ["a", "b", "c", "d", "e", "f"] }), "INVALID_INPUT")).toMatch(
      /at most 5 tags/i,
    );
    expect(failure(await createMyArticle({ title: "x".repeat(201), body: "x" }), "INVALID_INPUT")).toMatch(/200/);
    expect(await written()).toEqual(before);
  });

  it("refuses a signed-out caller and writes nothing", async () => {
    const before = await written();
    failure(await createMyArticle({ title: "anon", body: "x" }), "UNAUTHORIZED");
    expect(await written()).toEqual(before);
  });
});

describe("updateMyArticle", () => {
  it("updates fields and replaces tags, keeping the handle", async () => {
    await signInAs("alice");
    const a = ok(await createMyArticle({ title: "Edit me", body: "v1", tags: ["one"] }));
    const updated = ok(await updateMyArticle({ id: a.id, title: "Edited title", body: "v2", excerpt: "short", tags: ["two"] }));
    expect(updated).toMatchObject({ title: "Edited title", body: "v2", excerpt: "short", handle: "edit-me" });
    expect(updated.tags.map((t) => t.name)).toEqual(["two"]);
    const partial = ok(await updateMyArticle({ id: a.id, body: "v3" }));
    expect(partial).toMatchObject({ title: "Edited title", body: "v3" });
    expect(partial.tags.map((t) => t.name)).toEqual(["two"]);
  });

  it("refuses someone else's article: FORBIDDEN when visible, NOT_FOUND when hidden; nothing changes", async () => {
    await signInAs("bob");
    const [hello, draft] = [await articleRow(s.hello), await articleRow(s.draft)];
    failure(await updateMyArticle({ id: s.hello, title: "pwned" }), "FORBIDDEN");
    failure(await updateMyArticle({ id: s.draft, title: "pwned" }), "NOT_FOUND");
    failure(await updateMyArticle({ id: MISSING_ID, title: "nothing" }), "NOT_FOUND");
    expect(await articleRow(s.hello)).toEqual(hello);
    expect(await articleRow(s.draft)).toEqual(draft);
  });

  it("refuses invalid input and signed-out callers; nothing changes", async () => {
    const hello = await articleRow(s.hello);
    failure(await updateMyArticle({ id: s.hello, title: "signed out" }), "UNAUTHORIZED");
    await signInAs("alice");
    expect(failure(await updateMyArticle({ id: s.hello, title: "" }), "INVALID_INPUT")).toMatch(/title/i);
    failure(await updateMyArticle({ id: "abc", title: "x" }), "INVALID_INPUT");
    failure(await updateMyArticle({ id: 12 as unknown as string, title: "x" }), "INVALID_INPUT");
    for (const id of MALFORMED_IDS) expect(failure(await updateMyArticle({ id, title: "x" }), "INVALID_INPUT")).toMatch(/^id: must be a UUID/);
    expect(await articleRow(s.hello)).toEqual(hello);
  });

  it("accepts an upper-case id and normalises it", async () => {
    await signInAs("alice");
    const a = ok(await createMyArticle({ title: "Shouting ids", body: "x" }));
    const updated = ok(await updateMyArticle({ id: `  ${a.id.toUpperCase()} `, title: "Quiet ids" }));
    expect(updated).toMatchObject({ id: a.id, title: "Quiet ids" });
    expect(ok(await deleteMyArticle({ id: a.id.toUpperCase() })).id).toBe(a.id);
  });
});

describe("setArticlePublished", () => {
  it("publishes and unpublishes; re-publishing keeps the first date", async () => {
    await signInAs("alice");
    const a = ok(await createMyArticle({ title: "Going live", body: "x" }));
    const live = ok(await setArticlePublished({ id: a.id, published: true }));
    expect(live.published_at).toBeInstanceOf(Date);
    expect(ok(await articleFeed({})).map((x) => x.id)).toContain(a.id);
    expect(ok(await setArticlePublished({ id: a.id, published: false })).published_at).toBeNull();
    expect(ok(await articleFeed({})).map((x) => x.id)).not.toContain(a.id);
    await signInAs("bob");
    failure(await getArticle({ username: "alice", handle: "going-live" }), "NOT_FOUND");
  });

  it("refuses foreign, invalid and signed-out requests; nothing changes", async () => {
    const hello = await articleRow(s.hello);
    failure(await setArticlePublished({ id: s.hello, published: false }), "UNAUTHORIZED");
    await signInAs("carol");
    failure(await setArticlePublished({ id: s.hello, published: false }), "FORBIDDEN");
    failure(await setArticlePublished({ id: s.draft, published: true }), "NOT_FOUND");
    await signInAs("alice");
    expect(failure(await setArticlePublished({ id: s.hello, published: "no" as unknown as boolean }), "INVALID_INPUT")).toMatch(
      /published/,
    );
    expect(await articleRow(s.hello)).toEqual(hello);
    expect((await articleRow(s.draft)).published_at).toBeNull();
  });
});

describe("deleteMyArticle", () => {
  it("deletes the article with its thread, reactions and bookmarks", async () => {
    await signInAs("alice");
    const a = ok(await createMyArticle({ title: "Short lived", body: "x", tags: ["nextjs"] }));
    ok(await setArticlePublished({ id: a.id, published: true }));
    const [top] = await db
      .insert(comments)
      .values({ body: "top", resource_type: "ARTICLE", resource_id: a.id, user_id: s.bob })
      .returning();
    const [reply] = await db
      .insert(comments)
      .values({ body: "reply", resource_type: "COMMENT", resource_id: top.id, user_id: s.carol })
      .returning();
    await db.insert(reactions).values([
      { resource_type: "ARTICLE", resource_id: a.id, user_id: s.bob, reaction_type: "WOW" },
      { resource_type: "COMMENT", resource_id: reply.id, user_id: s.alice, reaction_type: "HAHA" },
    ]);
    await db.insert(bookmarks).values({ resource_type: "ARTICLE", resource_id: a.id, user_id: s.carol });

    expect(ok(await deleteMyArticle({ id: a.id }))).toMatchObject({ id: a.id, author_id: s.alice });
    expect(await articleRow(a.id)).toBeUndefined();
    expect(await db.select().from(comments).where(eq(comments.id, reply.id))).toEqual([]);
    expect(await db.select().from(comments).where(eq(comments.id, top.id))).toEqual([]);
    expect(await db.select().from(reactions).where(eq(reactions.resource_id, reply.id))).toEqual([]);
    expect(
      await db.select().from(reactions).where(and(eq(reactions.resource_type, "ARTICLE"), eq(reactions.resource_id, a.id))),
    ).toEqual([]);
    expect(await db.select().from(bookmarks).where(eq(bookmarks.resource_id, a.id))).toEqual([]);
  });

  it("refuses foreign, invalid and signed-out requests; nothing is deleted", async () => {
    const before = await written();
    failure(await deleteMyArticle({ id: s.hello }), "UNAUTHORIZED");
    await signInAs("bob");
    failure(await deleteMyArticle({ id: s.hello }), "FORBIDDEN");
    failure(await deleteMyArticle({ id: s.draft }), "NOT_FOUND");
    failure(await deleteMyArticle({ id: -3 as unknown as string }), "INVALID_INPUT");
    failure(await deleteMyArticle({ id: "12" }), "INVALID_INPUT");
    failure(await deleteMyArticle({ id: MISSING_ID }), "NOT_FOUND");
    expect(await written()).toEqual(before);
  });
});
