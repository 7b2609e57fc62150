import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { InngestTestEngine } from "@inngest/test";
import type { Db } from "@/db/client";
import { notifications } from "@/db/schema";
import { NOTIFICATION_REQUESTED, persistNotificationFn } from "@/lib/inngest";
import { MISSING_ID, type Seeded, rowCounts, setupSeededDb } from "./fixtures";

let db: Db;
let s: Seeded;
setupSeededDb((r) => ({ db, s } = r), { resetRequests: false });

// A new engine per run: one engine instance remembers step results between executions.
const run = (id: string, data: Record<string, unknown>) =>
  new InngestTestEngine({ function: persistNotificationFn }).execute({ events: [{ id, name: NOTIFICATION_REQUESTED, data }] });
const byEvent = (eventId: string) => db.select().from(notifications).where(eq(notifications.event_id, eventId));

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

  it("notifies a gist owner and a comment author of reactions", async () => {
    await run("reaction-gist", { actor_id: s.carol, kind: "reaction", resource_type: "GIST", resource_id: s.publicGist, reaction_type: "FIRE" });
    expect((await byEvent("reaction-gist"))[0]).toMatchObject({
      recipient_id: s.bob,
      type: "REACTION",
      payload: { url: `/gists/${s.publicGist}`, reaction_type: "FIRE" },
    });
    await run("reaction-comment", { actor_id: s.alice, kind: "reaction", resource_type: "COMMENT", resource_id: s.bobTop, reaction_type: "UNICORN" });
    expect((await byEvent("reaction-comment"))[0]).toMatchObject({
      recipient_id: s.bob,
      payload: { url: `/@alice/hello-realtime#comment-${s.bobTop}` },
    });
  });

  it("skips self-notifications without writing", async () => {
    const before = await rowCounts(notifications);
    const { result } = await run("self", { actor_id: s.alice, kind: "reaction", resource_type: "ARTICLE", resource_id: s.hello, reaction_type: "LOVE" });
    expect(result).toEqual({ skipped: "self" });
    expect(await rowCounts(notifications)).toEqual(before);
  });

  it("skips an invalid payload with a reason instead of throwing", async () => {
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
    const data = { actor_id: up(s.bob), kind: "reply", resource_type: "COMMENT", resource_id: up(s.bobTop), comment_id: up(s.aliceReply) };
    // The reply's author is bob himself: the builder must see that through the case, or bob notifies himself.
    expect((await run("upper-self", data)).result).toEqual({ skipped: "self" });
    const { result } = await run("upper", { ...data, actor_id: up(s.carol) });
    const [row] = await byEvent("upper");
    expect(result).toEqual({ id: row.id, recipient_id: s.bob });
    expect(row).toMatchObject({ actor_id: s.carol, payload: { resource_id: s.bobTop, comment_id: s.aliceReply } });
    expect(row.payload).toMatchObject({ url: `/@alice/hello-realtime#comment-${s.aliceReply}` });
  });

  it("does not duplicate when the same event is retried", async () => {
    const data = { actor_id: s.alice, kind: "comment", resource_type: "GIST", resource_id: s.publicGist, comment_id: s.aliceOnGist };
    // A retry re-runs the function with the same event id: the second insert finds the first row.
    const first = await run("retry-me", data);
    const second = await run("retry-me", data);
    expect(second.result).toEqual(first.result);
    const rows = await byEvent("retry-me");
    expect(rows).toHaveLength(1);
    expect(first.result).toEqual({ id: rows[0].id, recipient_id: s.bob });
  });
});
