import { beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { notifications, users } from "@/db/schema";
import { getUserProfile, updateMyProfile } from "@/backend/services/user.actions";
import {
  markAllNotificationsRead,
  markNotificationRead,
  myNotifications,
  unreadNotificationCount,
} from "@/backend/services/notification.actions";
import { signInAs } from "../helpers/db";
import { MALFORMED_IDS, MISSING_ID, type Seeded, failure, ok, rowCounts, setupSeededDb } from "./fixtures";

let db: Db;
let s: Seeded;
const ids: Record<string, string> = {};
setupSeededDb((r) => ({ db, s } = r));
beforeAll(async () => {
  const rows = await db
    .insert(notifications)
    .values([
      { recipient_id: s.alice, actor_id: s.bob, type: "COMMENT", payload: { title: "old" }, created_at: new Date("2026-01-01T00:00:00Z") },
      { recipient_id: s.alice, actor_id: s.carol, type: "REACTION", payload: { title: "new" }, created_at: new Date("2026-02-01T00:00:00Z") },
      { recipient_id: s.bob, actor_id: s.alice, type: "REPLY", payload: { title: "bob's" } },
    ])
    .returning({ id: notifications.id });
  [ids.aliceOld, ids.aliceNew, ids.bobs] = rows.map((r) => r.id);
});

const userRow = async (id: string) => (await db.select().from(users).where(eq(users.id, id)))[0];
const notificationRow = async (id: string) => (await db.select().from(notifications).where(eq(notifications.id, id)))[0];

describe("user profile", () => {
  it("reads a public profile", async () => {
    expect(ok(await getUserProfile({ username: "bob" }))).toEqual({ id: s.bob, username: "bob", name: "Bob Karim", bio: "Gists and small tools." });
    failure(await getUserProfile({ username: "nobody" }), "NOT_FOUND");
    failure(await getUserProfile({ username: "" }), "INVALID_INPUT");
  });

  it("updates the caller's own profile only", async () => {
    await signInAs("carol");
    expect(ok(await updateMyProfile({ name: " Carol H. ", bio: "Hi" }))).toEqual({ id: s.carol, username: "carol", name: "Carol H.", bio: "Hi" });
    expect(await userRow(s.alice)).toMatchObject({ name: "Alice Rahman" });
  });

  it("refuses invalid input and signed-out callers; nothing changes", async () => {
    const before = await userRow(s.carol);
    failure(await updateMyProfile({ name: "x", bio: "y" }), "UNAUTHORIZED");
    await signInAs("carol");
    expect(failure(await updateMyProfile({ name: "", bio: "" }), "INVALID_INPUT")).toMatch(/name/i);
    expect(failure(await updateMyProfile({ name: "ok", bio: "b".repeat(501) }), "INVALID_INPUT")).toMatch(/500/);
    expect(await userRow(s.carol)).toEqual(before);
  });
});

describe("notifications", () => {
  it("lists the caller's notifications newest first with the actor", async () => {
    failure(await myNotifications(), "UNAUTHORIZED");
    await signInAs("alice");
    const list = ok(await myNotifications());
    expect(list.map((n) => n.id)).toEqual([ids.aliceNew, ids.aliceOld]);
    expect(list[0]).toMatchObject({ type: "REACTION", payload: { title: "new" }, read_at: null, actor: { id: s.carol, username: "carol" } });
  });

  it("counts unread ones; signed out counts zero", async () => {
    expect(ok(await unreadNotificationCount())).toEqual({ count: 0 });
    await signInAs("alice");
    expect(ok(await unreadNotificationCount())).toEqual({ count: 2 });
  });

  it("refuses marking someone else's notification, invalid ids and signed-out callers; nothing changes", async () => {
    const before = await notificationRow(ids.bobs);
    failure(await markNotificationRead({ id: ids.bobs }), "UNAUTHORIZED");
    failure(await markAllNotificationsRead(), "UNAUTHORIZED");
    await signInAs("alice");
    failure(await markNotificationRead({ id: ids.bobs }), "NOT_FOUND");
    failure(await markNotificationRead({ id: -1 as unknown as string }), "INVALID_INPUT");
    for (const id of MALFORMED_IDS) failure(await markNotificationRead({ id }), "INVALID_INPUT");
    failure(await markNotificationRead({ id: MISSING_ID }), "NOT_FOUND");
    failure(await markNotificationRead({ id: ids.bobs.toUpperCase() }), "NOT_FOUND");
    expect(await notificationRow(ids.bobs)).toEqual(before);
  });

  it("marks one, then all of the caller's notifications read", async () => {
    await signInAs("alice");
    const one = ok(await markNotificationRead({ id: ids.aliceOld }));
    expect(one.read_at).toBeInstanceOf(Date);
    expect(ok(await markNotificationRead({ id: ids.aliceOld })).read_at).toEqual(one.read_at);
    expect(ok(await markNotificationRead({ id: ids.aliceOld.toUpperCase() }))).toEqual({ id: ids.aliceOld, read_at: one.read_at });
    expect(ok(await unreadNotificationCount())).toEqual({ count: 1 });
    expect(ok(await markAllNotificationsRead())).toEqual({ count: 1 });
    expect(ok(await unreadNotificationCount())).toEqual({ count: 0 });
    expect((await notificationRow(ids.bobs)).read_at).toBeNull();
    expect(await rowCounts(notifications)).toEqual([3]);
  });
});
