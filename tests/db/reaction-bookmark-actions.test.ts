import { describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { articles, bookmarks, reactions } from "@/db/schema";
import { getResourceReactions, toggleResourceReaction } from "@/backend/services/reaction.actions";
import { bookmarkStatus, myBookmarks, toggleResourceBookmark } from "@/backend/services/bookmark.action";
import { createMyArticle, setArticlePublished } from "@/backend/services/article.actions";
import { REACTION_TYPES } from "@/lib/resource-types";
import { signInAs } from "../helpers/db";
import { MALFORMED_IDS, MISSING_ID, type Seeded, failure, ok, rowCounts, setupSeededDb } from "./fixtures";

let db: Db;
let s: Seeded;
setupSeededDb((r) => ({ db, s } = r));

const counts = (list: { reaction_type: string; count: number }[]) =>
  Object.fromEntries(list.filter((r) => r.count > 0).map((r) => [r.reaction_type, r.count]));

describe("getResourceReactions", () => {
  it("returns all six types with counts and the caller's own", async () => {
    const anon = ok(await getResourceReactions({ resource_id: s.hello, resource_type: "ARTICLE" }));
    expect(anon.map((r) => r.reaction_type)).toEqual([...REACTION_TYPES]);
    expect(counts(anon)).toEqual({ FIRE: 1, LOVE: 1 });
    expect(anon.every((r) => !r.reacted)).toBe(true);
    await signInAs("bob");
    const bob = ok(await getResourceReactions({ resource_id: s.hello, resource_type: "ARTICLE" }));
    expect(bob.filter((r) => r.reacted).map((r) => r.reaction_type)).toEqual(["FIRE"]);
    expect(counts(ok(await getResourceReactions({ resource_id: s.bobTop, resource_type: "COMMENT" })))).toEqual({ UNICORN: 1 });
  });

  it("hides reactions of unreadable resources", async () => {
    failure(await getResourceReactions({ resource_id: s.draft, resource_type: "ARTICLE" }), "NOT_FOUND");
    failure(await getResourceReactions({ resource_id: s.privateGist, resource_type: "GIST" }), "NOT_FOUND");
    failure(await getResourceReactions({ resource_id: MISSING_ID, resource_type: "COMMENT" }), "NOT_FOUND");
    for (const resource_id of MALFORMED_IDS) failure(await getResourceReactions({ resource_id, resource_type: "COMMENT" }), "INVALID_INPUT");
    await signInAs("bob");
    expect(ok(await getResourceReactions({ resource_id: s.privateGist, resource_type: "GIST" }))).toHaveLength(6);
  });
});

describe("toggleResourceReaction", () => {
  it("adds, then removes the caller's reaction", async () => {
    await signInAs("carol");
    const target = { resource_id: s.publicGist, resource_type: "GIST" as const, reaction_type: "WOW" as const };
    expect(ok(await toggleResourceReaction(target))).toEqual({ reacted: true });
    expect(counts(ok(await getResourceReactions(target)))).toEqual({ WOW: 1 });
    expect(ok(await toggleResourceReaction(target))).toEqual({ reacted: false });
    expect(counts(ok(await getResourceReactions(target)))).toEqual({});
    expect(ok(await toggleResourceReaction({ resource_id: s.carolNested, resource_type: "COMMENT", reaction_type: "HAHA" }))).toEqual({
      reacted: true,
    });
    // The same comment in upper case is the same reaction: toggling it removes the one just added.
    expect(ok(await toggleResourceReaction({ resource_id: s.carolNested.toUpperCase(), resource_type: "COMMENT", reaction_type: "HAHA" }))).toEqual({
      reacted: false,
    });
  });

  it("refuses invalid input, hidden resources and signed-out callers; nothing written", async () => {
    const before = await rowCounts(reactions);
    failure(await toggleResourceReaction({ resource_id: s.hello, resource_type: "ARTICLE", reaction_type: "LOVE" }), "UNAUTHORIZED");
    await signInAs("carol");
    expect(
      failure(await toggleResourceReaction({ resource_id: s.hello, resource_type: "ARTICLE", reaction_type: "MEH" as "LOVE" }), "INVALID_INPUT"),
    ).toMatch(/reaction_type/);
    failure(await toggleResourceReaction({ resource_id: s.draft, resource_type: "ARTICLE", reaction_type: "LOVE" }), "NOT_FOUND");
    failure(await toggleResourceReaction({ resource_id: s.privateGist, resource_type: "GIST", reaction_type: "LOVE" }), "NOT_FOUND");
    failure(await toggleResourceReaction({ resource_id: MISSING_ID, resource_type: "GIST", reaction_type: "LOVE" }), "NOT_FOUND");
    expect(
      failure(await toggleResourceReaction({ resource_id: "12", resource_type: "ARTICLE", reaction_type: "LOVE" }), "INVALID_INPUT"),
    ).toMatch(/^resource_id: must be a UUID/);
    expect(await rowCounts(reactions)).toEqual(before);
  });
});

describe("bookmarks", () => {
  it("toggles a bookmark and lists bookmarked articles", async () => {
    await signInAs("carol");
    expect(ok(await bookmarkStatus({ resource_id: s.hello }))).toEqual({ bookmarked: false });
    expect(ok(await toggleResourceBookmark({ resource_id: s.hello }))).toEqual({ bookmarked: true });
    expect(ok(await bookmarkStatus({ resource_id: s.hello }))).toEqual({ bookmarked: true });
    expect(ok(await bookmarkStatus({ resource_id: s.hello.toUpperCase() }))).toEqual({ bookmarked: true });
    const list = ok(await myBookmarks());
    expect(list.map((a) => a.id)).toEqual([s.hello]);
    expect(list[0]).toMatchObject({ handle: "hello-realtime", author: { username: "alice" } });
    expect(ok(await toggleResourceBookmark({ resource_id: s.hello }))).toEqual({ bookmarked: false });
    expect(ok(await myBookmarks())).toEqual([]);
  });

  it("is 'not bookmarked' when signed out, and NOT_FOUND for unreadable articles", async () => {
    expect(ok(await bookmarkStatus({ resource_id: s.hello }))).toEqual({ bookmarked: false });
    failure(await bookmarkStatus({ resource_id: s.draft }), "NOT_FOUND");
    failure(await myBookmarks(), "UNAUTHORIZED");
    await signInAs("bob");
    failure(await bookmarkStatus({ resource_id: s.draft }), "NOT_FOUND");
  });

  it("refuses bookmarking hidden articles, invalid ids and signed-out callers; nothing written", async () => {
    const before = await rowCounts(bookmarks);
    failure(await toggleResourceBookmark({ resource_id: s.hello }), "UNAUTHORIZED");
    await signInAs("bob");
    failure(await toggleResourceBookmark({ resource_id: s.draft }), "NOT_FOUND");
    failure(await toggleResourceBookmark({ resource_id: MISSING_ID }), "NOT_FOUND");
    failure(await toggleResourceBookmark({ resource_id: 0 as unknown as string }), "INVALID_INPUT");
    for (const resource_id of MALFORMED_IDS) failure(await toggleResourceBookmark({ resource_id }), "INVALID_INPUT");
    failure(await bookmarkStatus({ resource_id: "not-a-uuid" }), "INVALID_INPUT");
    expect(await rowCounts(bookmarks)).toEqual(before);
  });

  it("drops an article from the list once it is unpublished", async () => {
    await signInAs("alice");
    const a = ok(await createMyArticle({ title: "Bookmark me", body: "x" }));
    ok(await setArticlePublished({ id: a.id, published: true }));
    await signInAs("carol");
    ok(await toggleResourceBookmark({ resource_id: a.id }));
    expect(ok(await myBookmarks()).map((x) => x.id)).toEqual([a.id]);
    await db.update(articles).set({ published_at: null }).where(eq(articles.id, a.id));
    expect(ok(await myBookmarks())).toEqual([]);
    expect(await db.select().from(bookmarks).where(and(eq(bookmarks.user_id, s.carol), eq(bookmarks.resource_id, a.id)))).toHaveLength(1);
  });
});
