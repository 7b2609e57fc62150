import "server-only";
import { cookies } from "next/headers";
import { after } from "next/server";
import { and, desc, eq, notInArray } from "drizzle-orm";
import type { ConnectionSignIn, PublishReceipt } from "@/lib/realtime/server";
import { getDb } from "@/db/client";
import { realtimeSockets } from "@/db/schema";
import { resolveSessionTokenOnSocket, SESSION_COOKIE, type SessionResult } from "@/backend/session-store";
import type { Id } from "@/lib/ids";
import { realtime } from "./server";

/** A session's tabs and reconnections; older sockets of the session are forgotten (they reconnect and sign in anew). */
export const SOCKETS_PER_SESSION = 20;

/**
 * The broker knows each socket as its session (not its user): terminating one session closes that device's tabs
 * and leaves the person's other devices connected. Recorded in the database, so every app instance sees it.
 */
export const connectionSignIn: ConnectionSignIn<SessionResult> = {
  userOf: (s) => s.session?.id ?? null,

  async remember(s, socketId) {
    const sessionId = s.session!.id;
    const db = await getDb();
    await db.insert(realtimeSockets).values({ session_id: sessionId, socket_id: socketId }).onConflictDoNothing();
    const newest = db
      .select({ socket_id: realtimeSockets.socket_id })
      .from(realtimeSockets)
      .where(eq(realtimeSockets.session_id, sessionId))
      .orderBy(desc(realtimeSockets.created_at))
      .limit(SOCKETS_PER_SESSION);
    await db.delete(realtimeSockets).where(and(eq(realtimeSockets.session_id, sessionId), notInArray(realtimeSockets.socket_id, newest)));
  },

  async isSignedIn(s, socketId) {
    if (!s.session) return false;
    const db = await getDb();
    const [row] = await db
      .select({ socket_id: realtimeSockets.socket_id })
      .from(realtimeSockets)
      .where(and(eq(realtimeSockets.session_id, s.session.id), eq(realtimeSockets.socket_id, socketId)))
      .limit(1);
    return row !== undefined;
  },
};

/**
 * This request's session (getSession's) and whether it signed in `socketId` (connectionSignIn.isSignedIn's answer),
 * read in one query: the auth route's getSessionOnSocket, the first thing every channel authorization needs.
 */
export async function sessionOnSocket(socketId: string): Promise<{ session: SessionResult; signedIn: boolean }> {
  const jar = await cookies();
  return resolveSessionTokenOnSocket(jar.get(SESSION_COOKIE)?.value, socketId);
}

/**
 * After a session was deleted (revoked from another device, or signed out): first its user channel's signal, so a
 * cooperative tab of that device hears it and signs itself out, then the broker closes every socket signed in as
 * that session, with all their subscriptions, whatever their client does with the signal. After the response, so
 * revoking never waits for (or fails on) the broker.
 */
export function endSessionConnections(sessionId: Id, announcement: PublishReceipt): void {
  const run = async () => {
    await announcement.delivered().catch(() => {}); // logged by the publisher; the sockets close regardless
    await realtime.terminateUserConnections(sessionId);
  };
  try {
    after(run);
  } catch {
    void run(); // no request scope (a script or a test)
  }
}
