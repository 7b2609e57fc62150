import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { and, eq } from "drizzle-orm";
import { closeDb, type Db } from "@/db/client";
import { notifications } from "@/db/schema";
import { createMyComment } from "@/backend/services/comment.action";
import { toggleResourceReaction } from "@/backend/services/reaction.actions";
import { inngest } from "@/lib/inngest";
import { resetEnvCache } from "@/env";
import { freshDb, signInAs } from "../helpers/db";
import { flushAfter, resetRequest } from "../helpers/next-request";
import { type Seeded, ok, rowCounts, seeded } from "./fixtures";

let db: Db;
let s: Seeded;
beforeAll(async () => {
  // Development mode is "no Inngest server configured".
  delete process.env.INNGEST_DEV;
  delete process.env.INNGEST_EVENT_KEY;
  db = await freshDb();
  s = await seeded();
});
beforeEach(() => resetRequest());
afterAll(async () => {
  vi.restoreAllMocks();
  await closeDb();
});

const byEvent = (eventId: string) => db.select().from(notifications).where(eq(notifications.event_id, eventId));

describe("notifications in development mode (no Inngest server)", () => {
  it("a comment notifies the article's author after the response", async () => {
    await signInAs("bob");
    const c = ok(await createMyComment({ resource_id: s.hello, resource_type: "ARTICLE", body: "Live from dev mode" }));
    // Nothing is written while the action is still responding.
    expect(await byEvent(`comment-${c.id}`)).toEqual([]);
    await flushAfter();
    const [row] = await byEvent(`comment-${c.id}`);
    expect(row).toMatchObject({ recipient_id: s.alice, actor_id: s.bob, type: "COMMENT", payload: { excerpt: "Live from dev mode" } });
  });

  it("a reply notifies the parent comment's author", async () => {
    await signInAs("alice");
    const c = ok(await createMyComment({ resource_id: s.carolTop, resource_type: "COMMENT", body: "Thanks!" }));
    await flushAfter();
    expect((await byEvent(`comment-${c.id}`))[0]).toMatchObject({ recipient_id: s.carol, type: "REPLY" });
  });

  it("a reaction notifies once per actor, resource and reaction kind; removing one sends nothing", async () => {
    await signInAs("carol");
    const target = { resource_id: s.publicGist, resource_type: "GIST" as const, reaction_type: "HAHA" as const };
    ok(await toggleResourceReaction(target));
    await flushAfter();
    const mine = and(eq(notifications.actor_id, s.carol), eq(notifications.type, "REACTION"));
    const rows = await db.select().from(notifications).where(mine);
    expect(rows).toHaveLength(1);
    expect(rows[0].recipient_id).toBe(s.bob);
    expect(rows[0].event_id).toBe(`reaction:${s.carol}:GIST:${s.publicGist}:HAHA`);
    ok(await toggleResourceReaction(target));
    await flushAfter();
    expect(await db.select().from(notifications).where(mine)).toHaveLength(1);
  });

  it("toggling a reaction off and on 10 times leaves one notification, also after it was read", async () => {
    await signInAs("bob");
    const target = { resource_id: s.carolTop, resource_type: "COMMENT" as const, reaction_type: "WOW" as const };
    const bobs = and(eq(notifications.actor_id, s.bob), eq(notifications.recipient_id, s.carol), eq(notifications.type, "REACTION"));
    for (let i = 0; i < 10; i++) {
      expect(ok(await toggleResourceReaction(target))).toEqual({ reacted: true });
      // Some requests' after() work runs late, some at once: neither may add a row.
      if (i % 2) await flushAfter();
      expect(ok(await toggleResourceReaction(target))).toEqual({ reacted: false });
      if (i === 4) await db.update(notifications).set({ read_at: new Date() }).where(bobs);
    }
    ok(await toggleResourceReaction(target));
    await flushAfter();
    const rows = await db.select().from(notifications).where(bobs);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ event_id: `reaction:${s.bob}:COMMENT:${s.carolTop}:WOW`, read_at: expect.any(Date) });
  });

  it("a reaction removed before its after() work ran notifies nobody", async () => {
    await signInAs("alice");
    const target = { resource_id: s.publicGist, resource_type: "GIST" as const, reaction_type: "CRY" as const };
    const before = await rowCounts(notifications);
    ok(await toggleResourceReaction(target));
    ok(await toggleResourceReaction(target));
    await flushAfter();
    expect(await rowCounts(notifications)).toEqual(before);
  });

  it("commenting on your own article notifies nobody", async () => {
    await signInAs("alice");
    const before = await rowCounts(notifications);
    ok(await createMyComment({ resource_id: s.hello, resource_type: "ARTICLE", body: "Author here" }));
    await flushAfter();
    expect(await rowCounts(notifications)).toEqual(before);
  });
});

describe("notifications with an Inngest server configured", () => {
  it("sends the event with its stable id instead, and a failed send does not fail the action", async () => {
    process.env.INNGEST_DEV = "1";
    resetEnvCache();
    const send = vi.spyOn(inngest, "send").mockRejectedValue(new Error("inngest is down"));
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      await signInAs("carol");
      const before = await rowCounts(notifications);
      const res = await createMyComment({ resource_id: s.hello, resource_type: "ARTICLE", body: "via inngest" });
      const c = ok(res);
      await flushAfter();
      expect(send).toHaveBeenCalledWith({
        id: `comment-${c.id}`,
        name: "app/notification.requested",
        data: { actor_id: s.carol, kind: "comment", resource_type: "ARTICLE", resource_id: s.hello, comment_id: c.id },
      });
      expect(log).toHaveBeenCalled();
      expect(await rowCounts(notifications)).toEqual(before);

      // A reaction's event id is the same on every toggle, so Inngest drops the repeats too.
      const target = { resource_id: s.publicGist, resource_type: "GIST" as const, reaction_type: "LOVE" as const };
      for (let i = 0; i < 3; i++) {
        ok(await toggleResourceReaction(target));
        ok(await toggleResourceReaction(target));
      }
      await flushAfter();
      const reactionSends = send.mock.calls.map(([e]) => e).filter((e) => !Array.isArray(e) && e.data.kind === "reaction");
      expect(reactionSends).toHaveLength(3);
      for (const e of reactionSends) {
        expect(e).toEqual({
          id: `reaction:${s.carol}:GIST:${s.publicGist}:LOVE`,
          name: "app/notification.requested",
          data: { actor_id: s.carol, kind: "reaction", resource_type: "GIST", resource_id: s.publicGist, reaction_type: "LOVE" },
        });
      }
    } finally {
      delete process.env.INNGEST_DEV;
      resetEnvCache();
    }
  });
});
