import { describe, expect, it } from "vitest";
import { eq, inArray } from "drizzle-orm";
import type { Db } from "@/db/client";
import { comments, gists, reactions } from "@/db/schema";
import { createMyComment, deleteMyComment, getComments, updateMyComment } from "@/backend/services/comment.action";
import { signInAs } from "../helpers/db";
import { MALFORMED_IDS, MISSING_ID, type Seeded, failure, ok, rowCounts, setupSeededDb } from "./fixtures";

let db: Db;
let s: Seeded;
setupSeededDb((r) => ({ db, s } = r));

const commentRow = async (id: string) => (await db.select().from(comments).where(eq(comments.id, id)))[0];
const written = () => rowCounts(comments, reactions);

describe("getComments", () => {
  it("returns the whole thread flat, in reading order, with parent_id and depth", async () => {
    const thread = ok(await getComments({ resource_id: s.hello, resource_type: "ARTICLE" }));
    expect(thread.map((c) => [c.id, c.parent_id, c.depth])).toEqual([
      [s.bobTop, null, 1],
      [s.aliceReply, s.bobTop, 2],
      [s.carolNested, s.aliceReply, 3],
      [s.carolTop, null, 1],
    ]);
    expect(thread[0]).toMatchObject({
      body: "Great intro. Does this work with several tabs open?",
      resource_id: s.hello,
      resource_type: "ARTICLE",
      author: { id: s.bob, username: "bob", name: "Bob Karim" },
    });
    expect(thread[2]).toMatchObject({ resource_type: "COMMENT", resource_id: s.aliceReply, author: { username: "carol" } });
    expect(thread[0].created_at).toBeInstanceOf(Date);
    expect(thread[0].updated_at).toBeInstanceOf(Date);
  });

  it("loads a thread of thousands in a few level queries", async () => {
    const [gist] = await db.insert(gists).values({ title: "busy", owner_id: s.carol }).returning();
    // One statement per level: without distinct timestamps the 600 siblings would share now() and read in (random) id order.
    const start = Date.UTC(2026, 0, 1);
    const level = async (resource_type: "GIST" | "COMMENT", parents: string[]) =>
      db
        .insert(comments)
        .values(
          parents.map((resource_id, i) => {
            const created_at = new Date(start + i * 1000);
            return { body: `c${i}`, resource_type, resource_id, user_id: s.bob, created_at, updated_at: created_at };
          }),
        )
        .returning({ id: comments.id });
    const top = await level("GIST", Array(600).fill(gist.id));
    const mid = await level("COMMENT", top.map((c) => c.id));
    const low = await level("COMMENT", mid.map((c) => c.id));
    const started = Date.now();
    const thread = ok(await getComments({ resource_id: gist.id, resource_type: "GIST" }));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(thread).toHaveLength(1800);
    expect(thread.slice(0, 3).map((c) => [c.id, c.depth])).toEqual([
      [top[0].id, 1],
      [mid[0].id, 2],
      [low[0].id, 3],
    ]);
  });

  it("serves gist threads and hides threads of unreadable resources", async () => {
    expect(ok(await getComments({ resource_id: s.publicGist, resource_type: "GIST" })).map((c) => c.id)).toEqual([s.aliceOnGist]);
    failure(await getComments({ resource_id: s.draft, resource_type: "ARTICLE" }), "NOT_FOUND");
    failure(await getComments({ resource_id: s.privateGist, resource_type: "GIST" }), "NOT_FOUND");
    await signInAs("alice");
    expect(ok(await getComments({ resource_id: s.draft, resource_type: "ARTICLE" }))).toEqual([]);
    await signInAs("bob");
    expect(ok(await getComments({ resource_id: s.privateGist, resource_type: "GIST" }))).toEqual([]);
    failure(await getComments({ resource_id: s.bobTop, resource_type: "COMMENT" as "ARTICLE" }), "INVALID_INPUT");
    failure(await getComments({ resource_id: MISSING_ID, resource_type: "ARTICLE" }), "NOT_FOUND");
    for (const resource_id of MALFORMED_IDS) {
      expect(failure(await getComments({ resource_id, resource_type: "ARTICLE" }), "INVALID_INPUT")).toMatch(/^resource_id: must be a UUID/);
    }
    const upper = ok(await getComments({ resource_id: s.publicGist.toUpperCase(), resource_type: "GIST" }));
    expect(upper.map((c) => [c.id, c.resource_id])).toEqual([[s.aliceOnGist, s.publicGist]]);
  });
});

describe("createMyComment", () => {
  it("comments on an article and a gist, and replies down to depth 3", async () => {
    await signInAs("carol");
    const top = ok(await createMyComment({ resource_id: s.hello, resource_type: "ARTICLE", body: "  Nice!  " }));
    expect(top).toMatchObject({ body: "Nice!", parent_id: null, depth: 1, author: { username: "carol" } });
    expect(top.root).toEqual({ resource_type: "ARTICLE", resource_id: s.hello });
    const reply = ok(await createMyComment({ resource_id: s.aliceReply, resource_type: "COMMENT", body: "me too" }));
    expect(reply).toMatchObject({ parent_id: s.aliceReply, depth: 3, resource_type: "COMMENT" });
    expect(reply.root).toEqual({ resource_type: "ARTICLE", resource_id: s.hello });
    const onGist = ok(await createMyComment({ resource_id: s.publicGist.toUpperCase(), resource_type: "GIST", body: "neat" }));
    // An upper-case id is the same resource, stored in canonical lower case.
    expect(onGist).toMatchObject({ resource_id: s.publicGist, root: { resource_type: "GIST", resource_id: s.publicGist } });
    const thread = ok(await getComments({ resource_id: s.hello, resource_type: "ARTICLE" }));
    expect(thread.find((c) => c.id === reply.id)?.depth).toBe(3);
  });

  it("refuses a fourth level with a clear message and writes nothing", async () => {
    await signInAs("bob");
    const before = await written();
    const msg = failure(await createMyComment({ resource_id: s.carolNested, resource_type: "COMMENT", body: "too deep" }), "INVALID_INPUT");
    expect(msg).toMatch(/at most 3 levels/);
    expect(await written()).toEqual(before);
  });

  it("refuses invalid bodies with a clear message and writes nothing", async () => {
    await signInAs("bob");
    const before = await written();
    expect(failure(await createMyComment({ resource_id: s.hello, resource_type: "ARTICLE", body: "   " }), "INVALID_INPUT")).toMatch(
      /empty/,
    );
    expect(
      failure(await createMyComment({ resource_id: s.hello, resource_type: "ARTICLE", body: "x".repeat(5001) }), "INVALID_INPUT"),
    ).toMatch(/5000/);
    failure(await createMyComment({ resource_id: s.hello, resource_type: "POST" as "ARTICLE", body: "x" }), "INVALID_INPUT");
    expect(await written()).toEqual(before);
  });

  it("refuses comments on resources the caller cannot read, and signed-out callers; nothing written", async () => {
    const before = await written();
    failure(await createMyComment({ resource_id: s.hello, resource_type: "ARTICLE", body: "anon" }), "UNAUTHORIZED");
    await signInAs("bob");
    failure(await createMyComment({ resource_id: s.draft, resource_type: "ARTICLE", body: "peek" }), "NOT_FOUND");
    failure(await createMyComment({ resource_id: MISSING_ID, resource_type: "ARTICLE", body: "ghost" }), "NOT_FOUND");
    failure(await createMyComment({ resource_id: MISSING_ID, resource_type: "COMMENT", body: "ghost" }), "NOT_FOUND");
    failure(await createMyComment({ resource_id: "12", resource_type: "COMMENT", body: "old id" }), "INVALID_INPUT");
    failure(await createMyComment({ resource_id: "not-a-uuid", resource_type: "ARTICLE", body: "junk id" }), "INVALID_INPUT");
    await signInAs("alice");
    failure(await createMyComment({ resource_id: s.privateGist, resource_type: "GIST", body: "peek" }), "NOT_FOUND");
    expect(await written()).toEqual(before);
  });

  it("refuses a reply to a comment on a hidden resource", async () => {
    const [hidden] = await db
      .insert(comments)
      .values({ body: "private", resource_type: "GIST", resource_id: s.privateGist, user_id: s.bob })
      .returning();
    await signInAs("carol");
    const before = await written();
    failure(await createMyComment({ resource_id: hidden.id, resource_type: "COMMENT", body: "hi" }), "NOT_FOUND");
    expect(await written()).toEqual(before);
  });
});

describe("updateMyComment", () => {
  it("edits the caller's own comment", async () => {
    await signInAs("carol");
    const updated = ok(await updateMyComment({ id: s.carolTop, body: "Bookmarked, and read it." }));
    expect(updated).toMatchObject({ id: s.carolTop, body: "Bookmarked, and read it.", depth: 1, parent_id: null });
    expect(updated.updated_at.getTime()).toBeGreaterThanOrEqual(updated.created_at.getTime());
    expect(ok(await updateMyComment({ id: s.carolNested, body: "edited nested" })).depth).toBe(3);
  });

  it("refuses someone else's comment, invalid input and signed-out callers; nothing changes", async () => {
    const row = await commentRow(s.bobTop);
    failure(await updateMyComment({ id: s.bobTop, body: "anon" }), "UNAUTHORIZED");
    await signInAs("alice");
    failure(await updateMyComment({ id: s.bobTop, body: "hijack" }), "FORBIDDEN");
    failure(await updateMyComment({ id: MISSING_ID, body: "ghost" }), "NOT_FOUND");
    failure(await updateMyComment({ id: "12", body: "old id" }), "INVALID_INPUT");
    await signInAs("bob");
    expect(failure(await updateMyComment({ id: s.bobTop, body: "" }), "INVALID_INPUT")).toMatch(/empty/);
    expect(await commentRow(s.bobTop)).toEqual(row);
  });
});

describe("deleteMyComment", () => {
  it("refuses someone else's comment and signed-out callers; nothing deleted", async () => {
    const before = await written();
    failure(await deleteMyComment({ id: s.bobTop }), "UNAUTHORIZED");
    await signInAs("carol");
    failure(await deleteMyComment({ id: s.bobTop }), "FORBIDDEN");
    failure(await deleteMyComment({ id: "x" }), "INVALID_INPUT");
    failure(await deleteMyComment({ id: 12 as unknown as string }), "INVALID_INPUT");
    failure(await deleteMyComment({ id: MISSING_ID }), "NOT_FOUND");
    expect(await written()).toEqual(before);
  });

  it("deletes the caller's comment with every reply below it and their reactions", async () => {
    await signInAs("bob");
    await db.insert(reactions).values({ resource_type: "COMMENT", resource_id: s.carolNested, user_id: s.bob, reaction_type: "CRY" });
    // Every depth-3 comment of this thread sits below bob's comment (one was added by a test above).
    const thread = ok(await getComments({ resource_id: s.hello, resource_type: "ARTICLE" }));
    const subtree = [s.bobTop, s.aliceReply, ...thread.filter((c) => c.depth === 3).map((c) => c.id)];
    const res = ok(await deleteMyComment({ id: s.bobTop }));
    expect(res.root).toEqual({ resource_type: "ARTICLE", resource_id: s.hello });
    expect(new Set(res.deleted_ids)).toEqual(new Set(subtree));
    expect(await db.select().from(comments).where(inArray(comments.id, subtree))).toEqual([]);
    const onSubtree = await db.select().from(reactions).where(inArray(reactions.resource_id, subtree));
    expect(onSubtree.filter((r) => r.resource_type === "COMMENT")).toEqual([]);
    const left = ok(await getComments({ resource_id: s.hello, resource_type: "ARTICLE" }));
    expect(left.map((c) => c.id)).toContain(s.carolTop);
    expect(left.every((c) => !subtree.includes(c.id))).toBe(true);
  });
});
