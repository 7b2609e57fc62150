import { afterEach, describe, expect, it, vi } from "vitest";
import { and, eq } from "drizzle-orm";
import { InngestTestEngine } from "@inngest/test";
import type { Db } from "@/db/client";
import { comments, gists, notifications, reactions } from "@/db/schema";
import type { ReactionType, ResourceType } from "@/db/schema";
import { NOTIFICATION_REQUESTED, persistNotificationFn } from "@/lib/inngest";
import { buildNotification, insertNotification } from "@/backend/notification-builder";
import { MISSING_ID, type Seeded, rowCounts, setupSeededDb } from "./fixtures";

let db: Db;
let s: Seeded;
setupSeededDb((r) => ({ db, s } = r), { resetRequests: false });
afterEach(() => {
  vi.restoreAllMocks();
});

// A new engine per run: one engine instance remembers step results between executions.
const run = (id: string, data: Record<string, unknown>) =>
  new InngestTestEngine({ function: persistNotificationFn }).execute({ events: [{ id, name: NOTIFICATION_REQUESTED, data }] });
const byEvent = (eventId: string) => db.select().from(notifications).where(eq(notifications.event_id, eventId));
const reactionKey = (actor: string, type: ResourceType, id: string, kind: ReactionType) => `reaction:${actor}:${type}:${id}:${kind}`;
const react = (user_id: string, resource_type: ResourceType, resource_id: string, reaction_type: ReactionType) =>
  db.insert(reactions).values({ user_id, resource_type, resource_id, reaction_type }).onConflictDoNothing();
const unreact = (user_id: string, resource_type: ResourceType, resource_id: string, reaction_type: ReactionType) =>
  db
    .delete(reactions)
    .where(
      and(
        eq(reactions.user_id, user_id),
        eq(reactions.resource_type, resource_type),
        eq(reactions.resource_id, resource_id),
        eq(reactions.reaction_type, reaction_type),
      ),
    );

describe("persistNotificationFn", () => {
  it("inserts a comment notification for the article's author", async () => {
    const data = { actor_id: s.carol, kind: "comment", resource_type: "ARTICLE", resource_id: s.hello, comment_id: s.carolTop };
    const { result, ctx } = await run(`comment-${s.carolTop}`, data);
    const [row] = await byEvent(`comment-${s.carolTop}`);
    expect(result).toEqual({ id: row.id, recipient_id: s.alice });
    expect(row).toMatchObject({ recipient_id: s.alice, actor_id: s.carol, type: "COMMENT", read_at: null });
    expect(row.payload).toMatchObject({
      title: "Carol Hossain commented on your article “Hello, realtime”",
      url: `/@alice/hello-realtime#comment-${s.carolTop}`,
      excerpt: "Bookmarked for later.",
      actor_username: "carol",
    });
    expect(ctx.step.run).toHaveBeenCalledWith("build-notification", expect.any(Function));
    expect(ctx.step.run).toHaveBeenCalledWith("insert-notification", expect.any(Function));
  });

  it("notifies the parent comment's author of a reply", async () => {
    const data = { actor_id: s.carol, kind: "reply", resource_type: "COMMENT", resource_id: s.aliceReply, comment_id: s.carolNested };
    const { result } = await run(`comment-${s.carolNested}`, data);
    const [row] = await byEvent(`comment-${s.carolNested}`);
    expect(result).toEqual({ id: row.id, recipient_id: s.alice });
    expect(row).toMatchObject({ type: "REPLY", payload: { url: `/@alice/hello-realtime#comment-${s.carolNested}` } });
  });

  it("notifies a gist owner and a comment author of reactions that exist, keyed by actor, resource and kind", async () => {
    await react(s.carol, "GIST", s.publicGist, "FIRE");
    await run("reaction-gist", { actor_id: s.carol, kind: "reaction", resource_type: "GIST", resource_id: s.publicGist, reaction_type: "FIRE" });
    expect((await byEvent(reactionKey(s.carol, "GIST", s.publicGist, "FIRE")))[0]).toMatchObject({
      recipient_id: s.bob,
      type: "REACTION",
      payload: { url: `/gists/${s.publicGist}`, reaction_type: "FIRE" },
    });
    // Seeded: alice's UNICORN on bob's top comment.
    await run("reaction-comment", { actor_id: s.alice, kind: "reaction", resource_type: "COMMENT", resource_id: s.bobTop, reaction_type: "UNICORN" });
    expect((await byEvent(reactionKey(s.alice, "COMMENT", s.bobTop, "UNICORN")))[0]).toMatchObject({
      recipient_id: s.bob,
      payload: { url: `/@alice/hello-realtime#comment-${s.bobTop}` },
    });
    // The event's own id is not the row's key.
    expect(await byEvent("reaction-gist")).toEqual([]);
  });

  it("skips self-notifications without writing", async () => {
    const before = await rowCounts(notifications);
    const { result } = await run("self", { actor_id: s.alice, kind: "reaction", resource_type: "ARTICLE", resource_id: s.hello, reaction_type: "LOVE" });
    expect(result).toEqual({ skipped: "self" });
    expect(await rowCounts(notifications)).toEqual(before);
  });

  it("skips an invalid payload with a reason instead of throwing", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const before = await rowCounts(notifications);
    for (const data of [
      { actor_id: "carol", kind: "comment", resource_type: "ARTICLE", resource_id: s.hello, comment_id: s.carolTop },
      // Integer ids of the old schema, and ids that are not UUIDs at all.
      { actor_id: s.carol, kind: "comment", resource_type: "ARTICLE", resource_id: 1, comment_id: s.carolTop },
      { actor_id: s.carol, kind: "comment", resource_type: "ARTICLE", resource_id: "12", comment_id: s.carolTop },
      { actor_id: s.carol, kind: "comment", resource_type: "ARTICLE", resource_id: s.hello, comment_id: "not-a-uuid" },
      { actor_id: s.carol, kind: "comment", resource_type: "ARTICLE", resource_id: s.hello },
      { actor_id: s.carol, kind: "reaction", resource_type: "ARTICLE", resource_id: s.hello, reaction_type: "MEH" },
      { actor_id: s.carol, kind: "shout", resource_type: "ARTICLE", resource_id: s.hello },
      // Shapes of the wrong kind.
      { actor_id: s.carol, kind: "comment", resource_type: "COMMENT", resource_id: s.aliceReply, comment_id: s.carolNested },
      { actor_id: s.carol, kind: "reply", resource_type: "ARTICLE", resource_id: s.hello, comment_id: s.carolTop },
      { actor_id: s.bob, kind: "reaction", resource_type: "ARTICLE", resource_id: s.hello, reaction_type: "FIRE", comment_id: s.carolTop },
      {},
    ]) {
      const { result, error } = (await run("invalid", data)) as { result: unknown; error?: unknown };
      expect(error).toBeUndefined();
      expect(result).toEqual({ skipped: expect.stringMatching(/^invalid payload: /) });
    }
    const { result } = await run("gone", { actor_id: s.carol, kind: "comment", resource_type: "ARTICLE", resource_id: MISSING_ID, comment_id: s.carolTop });
    expect(result).toEqual({ skipped: "resource not found" });
    expect(await rowCounts(notifications)).toEqual(before);
  });

  it("accepts upper-case ids and records them in canonical lower case", async () => {
    const up = (id: string) => id.toUpperCase();
    // Alice's reply to bob's top comment: bob is told.
    const data = { actor_id: up(s.alice), kind: "reply", resource_type: "COMMENT", resource_id: up(s.bobTop), comment_id: up(s.aliceReply) };
    const { result } = await run("upper", data);
    const [row] = await byEvent(`comment-${s.aliceReply}`);
    expect(result).toEqual({ id: row.id, recipient_id: s.bob });
    expect(row).toMatchObject({ actor_id: s.alice, payload: { resource_id: s.bobTop, comment_id: s.aliceReply } });
    expect(row.payload).toMatchObject({ url: `/@alice/hello-realtime#comment-${s.aliceReply}` });
    // Bob replying to himself: the builder must see that through the case, or bob notifies himself.
    const [own] = await db.insert(comments).values({ body: "Answering myself", resource_type: "COMMENT", resource_id: s.bobTop, user_id: s.bob }).returning();
    const self = { actor_id: up(s.bob), kind: "reply", resource_type: "COMMENT", resource_id: up(s.bobTop), comment_id: up(own.id) };
    expect((await run("upper-self", self)).result).toEqual({ skipped: "self" });
    expect(await byEvent(`comment-${own.id}`)).toEqual([]);
  });

  it("does not duplicate when the same event is retried, and the repeat signals nothing", async () => {
    const data = { actor_id: s.alice, kind: "comment", resource_type: "GIST", resource_id: s.publicGist, comment_id: s.aliceOnGist };
    // A retry re-runs the function with the same event id: the second insert finds the row and writes nothing.
    const first = await run("retry-me", data);
    const second = await run("retry-me", data);
    const rows = await byEvent(`comment-${s.aliceOnGist}`);
    expect(rows).toHaveLength(1);
    expect(first.result).toEqual({ id: rows[0].id, recipient_id: s.bob });
    expect(second.result).toEqual({ skipped: "already notified" });
    expect(second.ctx.step.run).not.toHaveBeenCalledWith("publish-notification", expect.any(Function));
    // A replay under a fresh event id is the same notification: the row key comes from the data.
    expect((await run("replayed-with-another-id", data)).result).toEqual({ skipped: "already notified" });
    expect(await byEvent(`comment-${s.aliceOnGist}`)).toHaveLength(1);
  });
});

describe("persistNotificationFn: events the database does not support are dropped with a reason", () => {
  /** Runs a forged event: it must finish (no error, no retry), write nothing, publish nothing, and log why. */
  async function forged(data: Record<string, unknown>) {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const before = await rowCounts(notifications);
    const { result, error, ctx } = (await run(`forged-${Math.random()}`, data)) as { result: unknown; error?: unknown; ctx: { step: { run: unknown } } };
    expect(error).toBeUndefined();
    expect(ctx.step.run).not.toHaveBeenCalledWith("insert-notification", expect.any(Function));
    expect(ctx.step.run).not.toHaveBeenCalledWith("publish-notification", expect.any(Function));
    expect(await rowCounts(notifications)).toEqual(before);
    const skipped = (result as { skipped?: string }).skipped;
    if (skipped !== "reaction no longer exists") expect(warn).toHaveBeenCalledWith(expect.stringContaining(`: ${skipped}`));
    warn.mockRestore();
    return result;
  }

  it("a comment notification whose actor is not the comment's author", async () => {
    // Carol wrote carolTop; bob claims it, so alice would read that bob commented.
    expect(await forged({ actor_id: s.bob, kind: "comment", resource_type: "ARTICLE", resource_id: s.hello, comment_id: s.carolTop })).toEqual({
      skipped: "actor is not the comment's author",
    });
    expect(await forged({ actor_id: s.carol, kind: "reply", resource_type: "COMMENT", resource_id: s.bobTop, comment_id: s.aliceReply })).toEqual({
      skipped: "actor is not the comment's author",
    });
  });

  it("a comment of another resource, or a reply under another parent", async () => {
    // carolTop is on alice's article, not on bob's gist: bob must not be told it is on his.
    expect(await forged({ actor_id: s.carol, kind: "comment", resource_type: "GIST", resource_id: s.publicGist, comment_id: s.carolTop })).toEqual({
      skipped: "comment does not belong to the stated resource",
    });
    // A reply (carolNested answers aliceReply) presented as a top-level comment.
    expect(await forged({ actor_id: s.carol, kind: "comment", resource_type: "ARTICLE", resource_id: s.hello, comment_id: s.carolNested })).toEqual({
      skipped: "comment does not belong to the stated resource",
    });
    // carolNested answers alice's reply, not bob's top comment: bob must not be told.
    expect(await forged({ actor_id: s.carol, kind: "reply", resource_type: "COMMENT", resource_id: s.bobTop, comment_id: s.carolNested })).toEqual({
      skipped: "comment is not a reply to the stated parent",
    });
  });

  it("unknown actor, resource, comment or parent", async () => {
    expect(await forged({ actor_id: MISSING_ID, kind: "comment", resource_type: "ARTICLE", resource_id: s.hello, comment_id: s.carolTop })).toEqual({
      skipped: "actor not found",
    });
    expect(await forged({ actor_id: s.carol, kind: "comment", resource_type: "GIST", resource_id: MISSING_ID, comment_id: s.carolTop })).toEqual({
      skipped: "resource not found",
    });
    expect(await forged({ actor_id: s.carol, kind: "comment", resource_type: "ARTICLE", resource_id: s.hello, comment_id: MISSING_ID })).toEqual({
      skipped: "comment not found",
    });
    expect(await forged({ actor_id: s.carol, kind: "reply", resource_type: "COMMENT", resource_id: MISSING_ID, comment_id: s.carolNested })).toEqual({
      skipped: "resource not found",
    });
    expect(await forged({ actor_id: s.carol, kind: "reaction", resource_type: "COMMENT", resource_id: MISSING_ID, reaction_type: "LOVE" })).toEqual({
      skipped: "resource not found",
    });
  });

  it("a reaction that was never given, or was taken back before the step ran", async () => {
    // Seeded: alice's UNICORN on bobTop. Carol never gave one, and alice never gave a FIRE.
    expect(await forged({ actor_id: s.carol, kind: "reaction", resource_type: "COMMENT", resource_id: s.bobTop, reaction_type: "UNICORN" })).toEqual({
      skipped: "reaction no longer exists",
    });
    expect(await forged({ actor_id: s.alice, kind: "reaction", resource_type: "COMMENT", resource_id: s.bobTop, reaction_type: "FIRE" })).toEqual({
      skipped: "reaction no longer exists",
    });
    await react(s.carol, "GIST", s.publicGist, "CRY");
    await unreact(s.carol, "GIST", s.publicGist, "CRY");
    expect(await forged({ actor_id: s.carol, kind: "reaction", resource_type: "GIST", resource_id: s.publicGist, reaction_type: "CRY" })).toEqual({
      skipped: "reaction no longer exists",
    });
  });

  it("a reaction taken back between the build and the insert step writes nothing", async () => {
    await react(s.carol, "GIST", s.publicGist, "WOW");
    const built = await buildNotification({ actor_id: s.carol, kind: "reaction", resource_type: "GIST", resource_id: s.publicGist, reaction_type: "WOW" });
    expect(built).toMatchObject({ recipient_id: s.bob, event_key: reactionKey(s.carol, "GIST", s.publicGist, "WOW") });
    await unreact(s.carol, "GIST", s.publicGist, "WOW");
    const before = await rowCounts(notifications);
    expect(await insertNotification(built as Exclude<typeof built, { skipped: string }>)).toEqual({ skipped: "reaction no longer exists" });
    expect(await rowCounts(notifications)).toEqual(before);
  });

  it("an injected recipient or payload field makes the event invalid", async () => {
    const legit = { actor_id: s.carol, kind: "reply", resource_type: "COMMENT", resource_id: s.aliceReply, comment_id: s.carolNested };
    for (const extra of [{ recipient_id: s.bob }, { recipient_id: s.alice }, { title: "You won a prize", url: "https://evil.example/" }, { event_id: "x" }]) {
      expect(await forged({ ...legit, ...extra })).toEqual({ skipped: expect.stringMatching(/^invalid payload: data: Unrecognized key/) });
    }
    // The reason is logged: a key name cannot start a line of its own.
    const reason = ((await forged({ ...legit, "x\n[notifications] all good": 1 })) as { skipped: string }).skipped;
    expect(reason).toMatch(/^invalid payload: data: Unrecognized key/);
    expect(reason).not.toMatch(/\n/);
  });

  it("a thread the recipient cannot read any more (a gist made private since)", async () => {
    // Carol reacts to alice's comment on bob's gist; then bob makes the gist private: alice may not read it.
    await react(s.carol, "COMMENT", s.aliceOnGist, "LOVE");
    await db.update(gists).set({ is_public: false }).where(eq(gists.id, s.publicGist));
    try {
      expect(await forged({ actor_id: s.carol, kind: "reaction", resource_type: "COMMENT", resource_id: s.aliceOnGist, reaction_type: "LOVE" })).toEqual({
        skipped: "recipient cannot read the resource",
      });
    } finally {
      await db.update(gists).set({ is_public: true }).where(eq(gists.id, s.publicGist));
    }
  });
});
