import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { and, eq, lt, sql } from "drizzle-orm";
import { getDb, type Db } from "@/db/client";
import { preparedPerDb } from "@/db/prepared";
import { realtimeSockets, userSessions, users } from "@/db/schema";
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

const SESSION_FIELDS = {
  session: {
    id: userSessions.id,
    user_id: userSessions.user_id,
    device: userSessions.device,
    ip: userSessions.ip,
    last_action_at: userSessions.last_action_at,
    created_at: userSessions.created_at,
  },
  user: { id: users.id, username: users.username, name: users.name, email: users.email, bio: users.bio },
};

const sessionByToken = preparedPerDb((db) =>
  db
    .select(SESSION_FIELDS)
    .from(userSessions)
    .innerJoin(users, eq(users.id, userSessions.user_id))
    .where(eq(userSessions.token, sql.placeholder("token")))
    .limit(1)
    .prepare("session_by_token"),
);

/** The same row, with whether the session signed in socket `socketId` (realtime_sockets, the auth route's check). */
const sessionByTokenOnSocket = preparedPerDb((db) =>
  db
    .select({ ...SESSION_FIELDS, socket: { socket_id: realtimeSockets.socket_id } })
    .from(userSessions)
    .innerJoin(users, eq(users.id, userSessions.user_id))
    .leftJoin(
      realtimeSockets,
      and(eq(realtimeSockets.session_id, userSessions.id), eq(realtimeSockets.socket_id, sql.placeholder("socketId"))),
    )
    .where(eq(userSessions.token, sql.placeholder("token")))
    .limit(1)
    .prepare("session_by_token_on_socket"),
);

const wellFormedToken = (token: string | undefined | null): token is string =>
  !!token && token.length <= 200 && /^[A-Za-z0-9_-]+$/.test(token);

/** A found row as a session: none once expired; last_action_at touched at most once a minute. */
async function liveSession(db: Db, row: Extract<SessionResult, { session: SessionInfo }> | undefined): Promise<SessionResult> {
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

/** Looks a raw cookie token up; anything malformed, unknown or revoked is no session. */
export async function resolveSessionToken(token: string | undefined | null): Promise<SessionResult> {
  if (!wellFormedToken(token)) return NO_SESSION;
  const db = await getDb();
  const [row] = await sessionByToken(db).execute({ token: hashToken(token) });
  return liveSession(db, row);
}

/**
 * resolveSessionToken, and whether that session signed in the broker socket `socketId` (connection-sign-in.ts), in
 * one query: the channel authorization route needs both for every request, and asked them one after the other.
 */
export async function resolveSessionTokenOnSocket(
  token: string | undefined | null,
  socketId: string,
): Promise<{ session: SessionResult; signedIn: boolean }> {
  if (!wellFormedToken(token)) return { session: NO_SESSION, signedIn: false };
  const db = await getDb();
  const [row] = await sessionByTokenOnSocket(db).execute({ token: hashToken(token), socketId });
  if (!row) return { session: NO_SESSION, signedIn: false };
  const { socket, ...found } = row;
  const session = await liveSession(db, found);
  return { session, signedIn: session.session !== null && socket !== null };
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
