import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { and, eq } from "drizzle-orm";
import { InngestTestEngine } from "@inngest/test";
import { getDb } from "@/db/client";
import { notifications, reactions } from "@/db/schema";
import { resetEnvCache } from "@/env";
import { INVALIDATE_EVENT } from "@/lib/realtime";
import { NOTIFICATION_REQUESTED, persistNotificationFn } from "@/lib/inngest";
import { createMyComment } from "@/backend/services/comment.action";
import { toggleResourceReaction } from "@/backend/services/reaction.actions";
import { markAllNotificationsRead, markNotificationRead } from "@/backend/services/notification.actions";
import { resourceChannel, userChannel } from "@/backend/realtime/channels";
import { freePort } from "../../helpers/free-port";
import { MISSING_ID, ok } from "../../db/fixtures";
import { markerOf, on, sorted } from "./listeners";
import { observedApp } from "./observed-app";

/**
 * A persisted notification signals its recipient's user channel, in a step of its own after the insert (Inngest,
 * which awaits the receipt and retries the step on a broker failure), or in-process after the response
 * (development mode); marking read tells the user's other tabs. Against a real Soketi, observed on every channel.
 */
const app = observedApp({ publishTimeoutMs: 1000 });

/** Alice's notification rows at the moment each signal reached her channel. */
const rowsAtArrival: number[] = [];
const notificationRows = async () => (await (await getDb()).select().from(notifications).where(eq(notifications.recipient_id, app.s.alice))).length;

beforeAll(() => {
  app.observer.pusher.channel(userChannel(app.s.alice)).bind(INVALIDATE_EVENT, async (data: unknown) => {
    if ((data as { scope?: string }).scope === "notifications" && !markerOf(data)) rowsAtArrival.push(await notificationRows());
  });
});
beforeEach(() => {
  rowsAtArrival.length = 0;
});
afterEach(() => {
  vi.restoreAllMocks();
  process.env.PUSHER_PORT = String(app.soketi.port);
  resetEnvCache();
});

const notificationFor = (userId: string) => on(userChannel(userId), { scope: "notifications" });

// A new engine per run: one engine instance remembers step results between executions.
const run = (id: string, data: Record<string, unknown>, steps?: ConstructorParameters<typeof InngestTestEngine>[0]["steps"]) =>
  new InngestTestEngine({ function: persistNotificationFn, steps }).execute({ events: [{ id, name: NOTIFICATION_REQUESTED, data }] });
const stepIds = (ctx: unknown) => (ctx as { step: { run: { mock: { calls: unknown[][] } } } }).step.run.mock.calls.map((c) => c[0]);

describe("the Inngest step: a persisted notification signals the recipient's user channel", () => {
  it("publishes { scope: notifications } in its own step, after the insert step", async () => {
    const { s } = app;
    const before = await notificationRows();
    const { result, ctx } = await run(`comment-${s.carolTop}`, {
      actor_id: s.carol,
      kind: "comment",
      resource_type: "ARTICLE",
      resource_id: s.hello,
      comment_id: s.carolTop,
    });
    expect(result).toMatchObject({ recipient_id: s.alice });
    expect(stepIds(ctx)).toEqual(["build-notification", "insert-notification", "publish-notification"]);
    expect(await app.drain()).toEqual([notificationFor(s.alice)]);
    // The row was already there when the signal arrived.
    await expect.poll(() => rowsAtArrival).toEqual([before + 1]);
  });

  it("publishes nothing when the insert fails", async () => {
    const { s } = app;
    vi.spyOn(console, "error").mockImplementation(() => {}); // the engine reports the failed step
    // A recipient that does not exist makes the real INSERT fail on its foreign key.
    const built = {
      recipient_id: MISSING_ID,
      actor_id: s.carol,
      type: "COMMENT",
      payload: { title: "x", url: "/" },
      event_key: "insert-fails",
      evidence: { comment_id: s.carolTop },
    };
    const { error, ctx } = (await run(
      "insert-fails",
      { actor_id: s.carol, kind: "comment", resource_type: "ARTICLE", resource_id: s.hello, comment_id: s.carolTop },
      [{ id: "build-notification", handler: () => built }],
    )) as { error?: unknown; ctx: unknown };
    expect(String((error as Error)?.message ?? error)).toMatch(/foreign key|violates|insert/i);
    expect(stepIds(ctx)).not.toContain("publish-notification");
    expect(await app.drain()).toEqual([]);
  });

  it("publishes nothing for a skipped (self) notification", async () => {
    const { s } = app;
    const { result, ctx } = await run("self", { actor_id: s.alice, kind: "reaction", resource_type: "ARTICLE", resource_id: s.hello, reaction_type: "WOW" });
    expect(result).toEqual({ skipped: "self" });
    expect(stepIds(ctx)).toEqual(["build-notification"]);
    expect(await app.drain()).toEqual([]);
  });

  it("fails the publish step when the broker is down (the awaited receipt rejects), so Inngest retries it; the row stays", async () => {
    const { s } = app;
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    // The reaction exists: a notification for one that does not is dropped before any step that could fail.
    await (await getDb()).insert(reactions).values({ user_id: s.bob, resource_type: "ARTICLE", resource_id: s.hello, reaction_type: "WOW" });
    process.env.PUSHER_PORT = String(await freePort());
    resetEnvCache();
    const before = await notificationRows();
    const { error, ctx } = (await run("broker-down", {
      actor_id: s.bob,
      kind: "reaction",
      resource_type: "ARTICLE",
      resource_id: s.hello,
      reaction_type: "WOW",
    })) as { error?: unknown; ctx: unknown };
    expect(stepIds(ctx)).toEqual(["build-notification", "insert-notification", "publish-notification"]);
    expect(String((error as Error)?.message ?? error)).toMatch(new RegExp(`publish "invalidate" to private-user\\.${s.alice} failed: .*ECONNREFUSED`));
    expect(await notificationRows()).toBe(before + 1);
    // The sender logged the failed call once.
    expect(log.mock.calls.filter((c) => String(c[0]).startsWith("[realtime] publish"))).toHaveLength(1);
  });
});

describe("development mode (no Inngest server): the same steps in-process, after the response", () => {
  it("a comment action inserts, then signals, after the response", async () => {
    const { s } = app;
    const before = await notificationRows();
    const signed = await app.as("bob", async () => {
      const r = await createMyComment({ resource_id: s.hello, resource_type: "ARTICLE", body: "Live from bob" });
      // Nothing happens on the response path.
      expect(await notificationRows()).toBe(before);
      return r;
    });
    ok(signed);
    const comments = on(resourceChannel("ARTICLE", s.hello), { scope: "comments", ids: { resource_id: s.hello, resource_type: "ARTICLE" } });
    expect(await app.drain()).toEqual(sorted(notificationFor(s.alice), comments));
    await expect.poll(() => rowsAtArrival).toEqual([before + 1]);
  });
});

describe("marking read", () => {
  it("tells the user's other tabs, only when something changed", async () => {
    const { s } = app;
    const [unread] = await (await getDb()).select().from(notifications).where(eq(notifications.recipient_id, s.alice));
    expect((await app.as("alice", () => markNotificationRead({ id: unread.id }))).ok).toBe(true);
    expect(await app.drain()).toEqual([notificationFor(s.alice)]);

    expect((await app.as("alice", () => markNotificationRead({ id: unread.id }))).ok).toBe(true); // already read: nothing changed
    expect(await app.drain()).toEqual([]);

    // Earlier cases left unread rows (bob's live comment, the broker-down reaction), so this one changes something.
    const all = await app.as("alice", () => markAllNotificationsRead({}));
    expect(all).toMatchObject({ ok: true, data: { count: expect.any(Number) }, signals: [{ scope: "notifications" }] });
    expect(ok(all).count).toBeGreaterThan(0);
    expect(await app.drain()).toEqual([notificationFor(s.alice)]);
    const again = await app.as("alice", () => markAllNotificationsRead({}));
    expect(again).toEqual({ ok: true, data: { count: 0 } });
    expect(await app.drain()).toEqual([]);
  });
});

describe("forged events: nothing the database does not support is written or signalled", () => {
  it("drops each with its reason as the result (no error to retry), then a genuine one still arrives", async () => {
    const { s } = app;
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const db = await getDb();
    const before = (await db.select().from(notifications)).length;
    const cases: Array<[Record<string, unknown>, string | RegExp]> = [
      // bob claims carol's comment
      [{ actor_id: s.bob, kind: "comment", resource_type: "ARTICLE", resource_id: s.hello, comment_id: s.carolTop }, "actor is not the comment's author"],
      // carol's comment on alice's article presented as one on bob's gist
      [{ actor_id: s.carol, kind: "comment", resource_type: "GIST", resource_id: s.publicGist, comment_id: s.carolTop }, "comment does not belong to the stated resource"],
      // carol's reply to alice presented as a reply to bob
      [{ actor_id: s.carol, kind: "reply", resource_type: "COMMENT", resource_id: s.bobTop, comment_id: s.carolNested }, "comment is not a reply to the stated parent"],
      [{ actor_id: MISSING_ID, kind: "reaction", resource_type: "ARTICLE", resource_id: s.hello, reaction_type: "LOVE" }, "actor not found"],
      [{ actor_id: s.carol, kind: "comment", resource_type: "ARTICLE", resource_id: s.hello, comment_id: MISSING_ID }, "comment not found"],
      [{ actor_id: s.carol, kind: "reaction", resource_type: "GIST", resource_id: MISSING_ID, reaction_type: "LOVE" }, "resource not found"],
      // a reaction carol never gave
      [{ actor_id: s.carol, kind: "reaction", resource_type: "GIST", resource_id: s.publicGist, reaction_type: "UNICORN" }, "reaction no longer exists"],
      // a genuine comment with a recipient of the sender's choosing
      [
        { actor_id: s.carol, kind: "comment", resource_type: "ARTICLE", resource_id: s.hello, comment_id: s.carolTop, recipient_id: s.bob },
        /^invalid payload: data: Unrecognized key/,
      ],
    ];
    for (const [i, [data, reason]] of cases.entries()) {
      const { result, error, ctx } = (await run(`forged-${i}`, data)) as {
        result: unknown;
        error?: unknown;
        ctx: unknown;
      };
      expect(error).toBeUndefined();
      expect(result).toEqual({ skipped: typeof reason === "string" ? reason : expect.stringMatching(reason) });
      expect(stepIds(ctx)).toEqual(["build-notification"]);
    }
    // The positive control: the observer does receive the genuine notification, and only that one.
    const genuine = await run(`comment-${s.bobTop}`, { actor_id: s.bob, kind: "comment", resource_type: "ARTICLE", resource_id: s.hello, comment_id: s.bobTop });
    expect(genuine.result).toMatchObject({ recipient_id: s.alice });
    expect(await app.drain()).toEqual([notificationFor(s.alice)]);
    expect((await db.select().from(notifications)).length).toBe(before + 1);
    expect(warn.mock.calls.map((c) => String(c[0]))).toEqual(
      expect.arrayContaining([expect.stringContaining("actor is not the comment's author"), expect.stringContaining("Unrecognized key")]),
    );
  });
});

describe("reaction toggling notifies the author once", () => {
  const helloChannel = () => resourceChannel("ARTICLE", app.s.hello);
  const userSignals = (seen: { channel: string }[]) => seen.filter((x) => x.channel.startsWith("private-user."));

  it("development mode: off and on 10 times, one notification and one signal to the author", async () => {
    const { s } = app;
    const db = await getDb();
    const key = `reaction:${s.carol}:ARTICLE:${s.hello}:HAHA`;
    const reactionsOfHello = on(helloChannel(), { scope: "reactions", ids: { resource_id: s.hello, resource_type: "ARTICLE" } });
    const toggle = () => toggleResourceReaction({ resource_id: s.hello, resource_type: "ARTICLE", reaction_type: "HAHA" });
    expect(ok(await app.as("carol", toggle))).toEqual({ reacted: true });
    // Delivered: the author's signal arrives, with the row already there.
    expect(await app.drain()).toEqual(sorted(reactionsOfHello, notificationFor(s.alice)));
    for (let i = 0; i < 10; i++) {
      expect(ok(await app.as("carol", toggle))).toEqual({ reacted: false });
      expect(ok(await app.as("carol", toggle))).toEqual({ reacted: true });
    }
    const seen = await app.drain();
    // Every toggle's own signal arrived (the broker delivered), and none for the author.
    expect(seen).toEqual(Array.from({ length: 20 }, () => reactionsOfHello));
    expect(userSignals(seen)).toEqual([]);
    expect(await db.select().from(notifications).where(eq(notifications.event_id, key))).toHaveLength(1);
  });

  it("through Inngest: the same event 10 times, the reaction taken back and given again between runs, one row and one signal", async () => {
    const { s } = app;
    const db = await getDb();
    // Seeded: carol's LOVE on alice's article, not notified yet.
    const key = `reaction:${s.carol}:ARTICLE:${s.hello}:LOVE`;
    const data = { actor_id: s.carol, kind: "reaction", resource_type: "ARTICLE", resource_id: s.hello, reaction_type: "LOVE" };
    const carolsLove = and(
      eq(reactions.user_id, s.carol),
      eq(reactions.resource_type, "ARTICLE"),
      eq(reactions.resource_id, s.hello),
      eq(reactions.reaction_type, "LOVE"),
    );
    const results: unknown[] = [];
    for (let i = 0; i < 10; i++) {
      const { result } = await run(key, data);
      results.push(result);
      await db.delete(reactions).where(carolsLove);
      await db.insert(reactions).values({ user_id: s.carol, resource_type: "ARTICLE", resource_id: s.hello, reaction_type: "LOVE" });
    }
    const rows = await db.select().from(notifications).where(eq(notifications.event_id, key));
    expect(rows).toHaveLength(1);
    expect(results).toEqual([{ id: rows[0].id, recipient_id: s.alice }, ...Array.from({ length: 9 }, () => ({ skipped: "already notified" }))]);
    expect(await app.drain()).toEqual([notificationFor(s.alice)]);
  });
});
