import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { eq } from "drizzle-orm";
import { InngestTestEngine } from "@inngest/test";
import { getDb } from "@/db/client";
import { notifications } from "@/db/schema";
import { resetEnvCache } from "@/env";
import { INVALIDATE_EVENT } from "@/lib/realtime";
import { NOTIFICATION_REQUESTED, persistNotificationFn } from "@/lib/inngest";
import { createMyComment } from "@/backend/services/comment.action";
import { markAllNotificationsRead, markNotificationRead } from "@/backend/services/notification.actions";
import { resourceChannel, userChannel } from "@/backend/realtime/channels";
import { freePort } from "../../helpers/free-port";
import { MISSING_ID, ok } from "../../db/fixtures";
import { on, sorted } from "./listeners";
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
    if (JSON.stringify(data) === '{"scope":"notifications"}') rowsAtArrival.push(await notificationRows());
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
    const built = { recipient_id: MISSING_ID, actor_id: s.carol, type: "COMMENT", payload: { title: "x", url: "/" } };
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
