import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { and, eq, lt } from "drizzle-orm";
import { getDb } from "@/db/client";
import { userSessions, users } from "@/db/schema";
import type { Id } from "@/lib/ids";

export const SESSION_COOKIE = "session_token";
export const SESSION_MAX_AGE_S = 60 * 60 * 24 * 30;
const TOUCH_EVERY_MS = 60_000;

export type PublicUser = { id: Id; username: string; name: string; email: string; bio: string };
export type SessionInfo = { id: Id; user_id: Id; device: string; ip: string; last_action_at: Date; created_at: Date };
export type SessionResult = { session: SessionInfo; user: PublicUser } | { session: null; user: null };

export const NO_SESSION: SessionResult = { session: null, user: null };

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** Creates a session row and returns the raw token for the cookie (only its hash is stored). */
export async function createSession(userId: Id, device: string, ip: string) {
  const token = randomBytes(32).toString("base64url");
  const db = await getDb();
  const [row] = await db
    .insert(userSessions)
    .values({ user_id: userId, token: hashToken(token), device: device.slice(0, 200) || "unknown", ip: ip.slice(0, 64) })
    .returning({ id: userSessions.id });
  return { token, sessionId: row.id };
}

/** Looks a raw cookie token up; anything malformed, unknown or revoked is no session. */
export async function resolveSessionToken(token: string | undefined | null): Promise<SessionResult> {
  if (!token || token.length > 200 || !/^[A-Za-z0-9_-]+$/.test(token)) return NO_SESSION;
  const db = await getDb();
  const [row] = await db
    .select({
      session: {
        id: userSessions.id,
        user_id: userSessions.user_id,
        device: userSessions.device,
        ip: userSessions.ip,
        last_action_at: userSessions.last_action_at,
        created_at: userSessions.created_at,
      },
      user: { id: users.id, username: users.username, name: users.name, email: users.email, bio: users.bio },
    })
    .from(userSessions)
    .innerJoin(users, eq(users.id, userSessions.user_id))
    .where(eq(userSessions.token, hashToken(token)))
    .limit(1);
  if (!row) return NO_SESSION;
  if (Date.now() - row.session.last_action_at.getTime() > SESSION_MAX_AGE_S * 1000) return NO_SESSION;
  if (Date.now() - row.session.last_action_at.getTime() > TOUCH_EVERY_MS) {
    const now = new Date();
    await db
      .update(userSessions)
      .set({ last_action_at: now })
      .where(and(eq(userSessions.id, row.session.id), lt(userSessions.last_action_at, now)));
    row.session.last_action_at = now;
  }
  return row;
}

/** Deletes the session of a raw token, expired or not; returns what was deleted (null: no such session). */
export async function deleteSessionByToken(token: string): Promise<{ id: Id; user_id: Id } | null> {
  const db = await getDb();
  const [row] = await db
    .delete(userSessions)
    .where(eq(userSessions.token, hashToken(token)))
    .returning({ id: userSessions.id, user_id: userSessions.user_id });
  return row ?? null;
}
