"use server";

import { cache } from "react";
import { cookies } from "next/headers";
import { and, desc, eq } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "@/db/client";
import { userSessions } from "@/db/schema";
import {
  SESSION_COOKIE,
  deleteSessionByToken,
  resolveSessionToken,
  type SessionResult,
} from "@/backend/session-store";
import { ActionError, type ActionResult, runAction } from "@/backend/action-result";
import { publishInvalidate } from "@/backend/realtime/server";
import { sessionSignal } from "@/backend/realtime/signals";
import { stampVersions } from "@/backend/realtime/versions";
import { endSessionConnections } from "@/backend/realtime/connection-sign-in";
import { type Id, Uuid } from "@/lib/ids";

// React's cache() shares one lookup between the layout, the page and the actions of one request.
const currentSession = cache(async (): Promise<SessionResult> => {
  const jar = await cookies();
  return resolveSessionToken(jar.get(SESSION_COOKIE)?.value);
});

/** The database-validated session of this request, or nulls. */
// realtime-no-publish: its one write is resolveSessionToken touching last_action_at (once a minute at most)
export async function getSession(): Promise<SessionResult> {
  return currentSession();
}

/** The signed-in user's id, derived from the validated session only. */
// realtime-no-publish: its one write is resolveSessionToken touching last_action_at (once a minute at most)
export async function authID(): Promise<Id | null> {
  return (await currentSession()).user?.id ?? null;
}

// realtime-no-publish: its one write is resolveSessionToken touching last_action_at (once a minute at most)
export async function mySessions() {
  const { session } = await currentSession();
  if (!session) return [];
  const db = await getDb();
  const rows = await db
    .select({
      id: userSessions.id,
      device: userSessions.device,
      ip: userSessions.ip,
      last_action_at: userSessions.last_action_at,
      created_at: userSessions.created_at,
    })
    .from(userSessions)
    .where(eq(userSessions.user_id, session.user_id))
    .orderBy(desc(userSessions.last_action_at));
  return rows.map((r) => ({ ...r, current: r.id === session.id }));
}

const DeleteSessionInput = z.object({ id: Uuid });

/** Revokes one of the caller's own sessions; someone else's id is refused and nothing is deleted. */
export async function deleteSession(input: z.input<typeof DeleteSessionInput>): Promise<ActionResult<{ id: Id }>> {
  return runAction(DeleteSessionInput, input, async ({ id }) => {
    const { session } = await currentSession();
    if (!session) throw new ActionError("UNAUTHORIZED", "Sign in first.");
    const db = await getDb();
    const announced = await db.transaction(async (tx) => {
      const deleted = await tx
        .delete(userSessions)
        .where(and(eq(userSessions.id, id), eq(userSessions.user_id, session.user_id)))
        .returning({ id: userSessions.id });
      if (deleted.length === 0) throw new ActionError("NOT_FOUND", "No such session.");
      return stampVersions(tx, sessionSignal(session.user_id, id));
    });
    // The revoked device hears this on its user channel and signs itself out; the others refresh their list. Then
    // the broker closes that device's sockets, so a client that ignores the signal keeps nothing either.
    endSessionConnections(id, publishInvalidate(announced));
    return { id };
  });
}

/** Signs out this device: the row is deleted, so the token is dead even if the cookie survives. */
export async function logout(): Promise<void> {
  const jar = await cookies();
  const token = jar.get(SESSION_COOKIE)?.value;
  if (token) {
    // Whatever was deleted is announced, an expired session's row too: the user's other devices list it until then.
    const deleted = await deleteSessionByToken(token);
    if (deleted) {
      // The session store deletes in its own statement, shared with expiry; the version moves right after its commit.
      const announced = await stampVersions(await getDb(), sessionSignal(deleted.user_id, deleted.id));
      endSessionConnections(deleted.id, publishInvalidate(announced));
    }
  }
  jar.delete(SESSION_COOKIE);
}

/**
 * Whose session this request still carries: what SessionWatcher asks after every sessions signal. null means the
 * session was revoked (or expired), so that device signs itself out.
 */
// realtime-no-publish: its one write is resolveSessionToken touching last_action_at (once a minute at most)
export async function currentSessionStatus(
  input: Record<string, never> = {},
): Promise<ActionResult<{ user_id: Id | null; session_id: Id | null }>> {
  return runAction(z.object({}).optional(), input, async () => {
    const { session } = await currentSession();
    return { user_id: session?.user_id ?? null, session_id: session?.id ?? null };
  });
}
