import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type Pusher from "pusher-js";
import { eq } from "drizzle-orm";
import { InngestTestEngine } from "@inngest/test";
import { getDb } from "@/db/client";
import { notifications } from "@/db/schema";
import { resetEnvCache } from "@/env";
import { userChannel } from "@/lib/realtime/channels";
import { INVALIDATE_EVENT } from "@/lib/realtime/signal";
import { publishInvalidateNow } from "@/lib/realtime/publish.server";
import { NOTIFICATION_REQUESTED, persistNotificationFn } from "@/lib/inngest";
import { createMyComment } from "@/backend/services/comment.action";
import { markAllNotificationsRead, markNotificationRead } from "@/backend/services/notification.actions";
import { createSession } from "@/backend/session-store";
import { signInAs } from "../../helpers/db";
import { flushAfter, resetRequest } from "../../helpers/next-request";
import { freePort } from "../../helpers/free-port";
import type { SoketiHandle } from "../../helpers/soketi";
import type { Seeded } from "../../db/fixtures";
import { startRealtimeEnv, stopRealtimeEnv } from "./realtime-env";
import { clientOptions, connectedClient, subscribed } from "./pusher-clients";

let soketi: SoketiHandle;
let s: Seeded;
let alice: Pusher;
/** Every signal alice's tab received, with whether her notification row existed at that moment. */
const received: Array<{ data: unknown; rows: number }> = [];

const notificationRows = async () => (await (await getDb()).select().from(notifications).where(eq(notifications.recipient_id, s.alice))).length;

beforeAll(async () => {
  ({ soketi, s } = await startRealtimeEnv(1000));
  const token = (await createSession(s.alice, "alice-tab", "127.0.0.1")).token;
  alice = await connectedClient(soketi.app.key, clientOptions(soketi.port, () => token));
  await subscribed(alice, userChannel(s.alice));
  alice.channel(userChannel(s.alice)).bind(INVALIDATE_EVENT, async (data: unknown) => {
    received.push({ data, rows: await notificationRows() });
  });
});
afterAll(async () => {
  alice?.disconnect();
  await stopRealtimeEnv(soketi);
});
beforeEach(() => {
  resetRequest();
  received.length = 0;
});
afterEach(() => {
  process.env.PUSHER_PORT = String(soketi.port);
  resetEnvCache();
});

/**
 * Channel order is FIFO, so once a marker published after the code under test has arrived, every signal
 * that code published has arrived too: "nothing else was sent" without sleeping.
 */
async function drain(): Promise<unknown[]> {
  const marker = { scope: "notifications", ids: { marker: Date.now() } } as const;
  await publishInvalidateNow(userChannel(s.alice), marker as never);
  await expect.poll(() => received.some((r) => JSON.stringify(r.data).includes(String(marker.ids.marker))), { timeout: 5_000 }).toBe(true);
  return received.map((r) => r.data).filter((d) => !JSON.stringify(d).includes(String(marker.ids.marker)));
}

const run = (id: string, data: Record<string, unknown>, steps?: ConstructorParameters<typeof InngestTestEngine>[0]["steps"]) =>
  new InngestTestEngine({ function: persistNotificationFn, steps }).execute({ events: [{ id, name: NOTIFICATION_REQUESTED, data }] });

describe("Phase 1: a persisted notification signals the recipient's user channel", () => {
  it("publishes { scope: notifications } in its own step, after the insert step", async () => {
    const before = await notificationRows();
    const { result, ctx } = await run(`comment-${s.carolTop}`, {
      actor_id: s.carol,
      kind: "comment",
      resource_type: "ARTICLE",
      resource_id: s.hello,
      comment_id: s.carolTop,
    });
    expect(result).toMatchObject({ recipient_id: s.alice });
    const stepIds = (ctx.step.run as unknown as { mock: { calls: unknown[][] } }).mock.calls.map((c) => c[0]);
    expect(stepIds).toEqual(["build-notification", "insert-notification", "publish-notification"]);
    expect(await drain()).toEqual([{ scope: "notifications" }]);
    // The row was already there when the signal arrived.
    expect(received[0].rows).toBe(before + 1);
  });

  it("publishes nothing when the insert fails", async () => {
    // A recipient that does not exist makes the real INSERT fail on its foreign key.
    const built = { recipient_id: 999_999, actor_id: s.carol, type: "COMMENT", payload: { title: "x", url: "/" } };
    const { error, ctx } = (await run(
      "insert-fails",
      { actor_id: s.carol, kind: "comment", resource_type: "ARTICLE", resource_id: s.hello, comment_id: s.carolTop },
      [{ id: "build-notification", handler: () => built }],
    )) as { error?: unknown; ctx: { step: { run: { mock: { calls: unknown[][] } } } } };
    expect(String((error as Error)?.message ?? error)).toMatch(/foreign key|violates|insert/i);
    expect(ctx.step.run.mock.calls.map((c) => c[0])).not.toContain("publish-notification");
    expect(await drain()).toEqual([]);
  });

  it("publishes nothing for a skipped (self) notification", async () => {
    await run("self", { actor_id: s.alice, kind: "reaction", resource_type: "ARTICLE", resource_id: s.hello, reaction_type: "WOW" });
    expect(await drain()).toEqual([]);
  });

  it("fails the publish step when the broker is down, so Inngest retries it, and keeps the row", async () => {
    process.env.PUSHER_PORT = String(await freePort());
    resetEnvCache();
    const before = await notificationRows();
    const { error } = (await run("broker-down", {
      actor_id: s.bob,
      kind: "reaction",
      resource_type: "ARTICLE",
      resource_id: s.hello,
      reaction_type: "WOW",
    })) as { error?: unknown };
    expect(String((error as Error)?.message ?? error)).toMatch(/publish|ECONNREFUSED|broker|fetch/i);
    expect(await notificationRows()).toBe(before + 1);
  });

  it("in development mode (no Inngest server) a comment action inserts, then signals, after the response", async () => {
    await signInAs("bob");
    const before = await notificationRows();
    const res = await createMyComment({ resource_id: s.hello, resource_type: "ARTICLE", body: "Live from bob" });
    expect(res.ok).toBe(true);
    // Nothing happens on the response path.
    expect(await notificationRows()).toBe(before);
    await flushAfter();
    const signals = await drain();
    expect(signals).toEqual([{ scope: "notifications" }]);
    expect(received[0].rows).toBe(before + 1);
  });

  it("marking read tells the user's other tabs (only when something changed)", async () => {
    await signInAs("alice");
    const [unread] = await (await getDb()).select().from(notifications).where(eq(notifications.recipient_id, s.alice));
    expect((await markNotificationRead({ id: unread.id })).ok).toBe(true);
    await flushAfter();
    expect(await drain()).toEqual([{ scope: "notifications" }]);

    received.length = 0;
    expect((await markNotificationRead({ id: unread.id })).ok).toBe(true); // already read: nothing changed
    await flushAfter();
    expect(await drain()).toEqual([]);

    received.length = 0;
    expect((await markAllNotificationsRead({})).ok).toBe(true);
    await flushAfter();
    const first = await drain();
    received.length = 0;
    expect((await markAllNotificationsRead({})).ok).toBe(true);
    await flushAfter();
    // Earlier cases left unread rows (bob's live comment, the broker-down reaction), so this one changed something.
    expect(first).toEqual([{ scope: "notifications" }]);
    expect(await drain()).toEqual([]);
  });
});
