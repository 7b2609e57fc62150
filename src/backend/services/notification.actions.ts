"use server";

import { and, count, desc, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "@/db/client";
import { notifications, users } from "@/db/schema";
import type { NotificationType } from "@/db/schema";
import { ActionError, type ActionResult, runAction } from "@/backend/action-result";
import { getSession } from "@/backend/services/session.actions";
import { requireUser } from "@/backend/current-user";
import type { NotificationPayload } from "@/backend/notification-builder";
import { publishInvalidate } from "@/backend/realtime/server";
import { stampVersions } from "@/backend/realtime/versions";
import { notificationsSignal } from "@/backend/realtime/signals";
import { type Id, Uuid } from "@/lib/ids";

export type NotificationItem = {
  id: Id;
  type: NotificationType;
  payload: NotificationPayload;
  read_at: Date | null;
  created_at: Date;
  actor: { id: Id; username: string; name: string } | null;
};

const LIST_LIMIT = 100;

/** The caller's latest notifications, newest first. */
export async function myNotifications(input: Record<string, never> = {}): Promise<ActionResult<NotificationItem[]>> {
  return runAction(z.object({}).optional(), input, async () => {
    const me = await requireUser();
    const db = await getDb();
    const rows = await db
      .select({
        id: notifications.id,
        type: notifications.type,
        payload: notifications.payload,
        read_at: notifications.read_at,
        created_at: notifications.created_at,
        actor_id: users.id,
        actor_username: users.username,
        actor_name: users.name,
      })
      .from(notifications)
      .leftJoin(users, eq(users.id, notifications.actor_id))
      .where(eq(notifications.recipient_id, me.id))
      .orderBy(desc(notifications.created_at), desc(notifications.id))
      .limit(LIST_LIMIT);
    return rows.map(({ actor_id, actor_username, actor_name, payload, ...n }) => ({
      ...n,
      payload: payload as NotificationPayload,
      actor: actor_id === null ? null : { id: actor_id, username: actor_username!, name: actor_name! },
    }));
  });
}

/** For the navbar badge, which every visitor renders: signed out counts as zero, not an error. */
export async function unreadNotificationCount(input: Record<string, never> = {}): Promise<ActionResult<{ count: number }>> {
  return runAction(z.object({}).optional(), input, async () => {
    const { user } = await getSession();
    if (!user) return { count: 0 };
    const db = await getDb();
    const [row] = await db
      .select({ n: count() })
      .from(notifications)
      .where(and(eq(notifications.recipient_id, user.id), isNull(notifications.read_at)));
    return { count: Number(row?.n ?? 0) };
  });
}

export async function markNotificationRead(input: { id: string }): Promise<ActionResult<{ id: Id; read_at: Date }>> {
  return runAction(z.object({ id: Uuid }), input, async ({ id }) => {
    const me = await requireUser();
    const db = await getDb();
    const mine = and(eq(notifications.id, id), eq(notifications.recipient_id, me.id));
    // Only unread rows are stamped, so the first read time is kept. The user's other tabs show the same badge; this
    // tab refetches in the mutation's onSuccess.
    const announced = await db.transaction(async (tx) => {
      const stamped = await tx
        .update(notifications)
        .set({ read_at: new Date() })
        .where(and(mine, isNull(notifications.read_at)))
        .returning({ id: notifications.id });
      return stamped.length > 0 ? stampVersions(tx, notificationsSignal(me.id)) : [];
    });
    publishInvalidate(announced);
    const [row] = await db.select({ id: notifications.id, read_at: notifications.read_at }).from(notifications).where(mine);
    if (!row) throw new ActionError("NOT_FOUND", "No such notification.");
    return { id: row.id, read_at: row.read_at! };
  });
}

export async function markAllNotificationsRead(input: Record<string, never> = {}): Promise<ActionResult<{ count: number }>> {
  return runAction(z.object({}).optional(), input, async () => {
    const me = await requireUser();
    const db = await getDb();
    const { count, announced } = await db.transaction(async (tx) => {
      const updated = await tx
        .update(notifications)
        .set({ read_at: new Date() })
        .where(and(eq(notifications.recipient_id, me.id), isNull(notifications.read_at)))
        .returning({ id: notifications.id });
      return { count: updated.length, announced: updated.length > 0 ? await stampVersions(tx, notificationsSignal(me.id)) : [] };
    });
    publishInvalidate(announced);
    return { count };
  });
}
