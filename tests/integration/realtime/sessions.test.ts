import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { getDb } from "@/db/client";
import { userSessions } from "@/db/schema";
import { POST as demoLogin } from "@/app/api/auth/demo-login/route";
import { deleteSession, logout } from "@/backend/services/session.actions";
import { createSession, SESSION_COOKIE, SESSION_MAX_AGE_S } from "@/backend/session-store";
import { userChannel } from "@/backend/realtime/channels";
import { publishInvalidate } from "@/backend/realtime/server";
import { notificationsSignal } from "@/backend/realtime/signals";
import { signInAs } from "../../helpers/db";
import { flushAfter, request, resetRequest } from "../../helpers/next-request";
import { failure, ok } from "../../db/fixtures";
import { APP_ORIGIN } from "./auth-helpers";
import { connectListener, drain, drainAll, markerOf, occupiedChannels, on, sorted, withoutVersion } from "./listeners";
import { observedApp } from "./observed-app";
import { once } from "./pusher-clients";

/**
 * Sign-ins and revocations against a real Soketi, observed on every channel of the seeded data: `{ scope:
 * sessions }` naming the session, on its user's own channel only; and a revoked session cannot subscribe again.
 */
const app = observedApp();

const sessionIds = async (userId: string) =>
  new Set((await (await getDb()).select({ id: userSessions.id }).from(userSessions).where(eq(userSessions.user_id, userId))).map((r) => r.id));

describe("sessions", () => {
  it("signing in on a new device (a route handler, outside any action) signals the user's channel with the new session", async () => {
    const { s } = app;
    const before = await sessionIds(s.alice);
    resetRequest();
    const res = await demoLogin(
      new Request(`${APP_ORIGIN}/api/auth/demo-login`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", "user-agent": "Mozilla/5.0 (X11; Linux) Firefox/140.0" },
        body: new URLSearchParams({ username: "alice" }),
      }),
    );
    expect(res.status).toBe(303);
    const [newest] = [...(await sessionIds(s.alice))].filter((id) => !before.has(id));
    expect(newest).toEqual(expect.any(String));
    expect(await app.drain()).toEqual([on(userChannel(s.alice), { scope: "sessions", ids: { session_id: newest } })]);
  });

  it("revoking a session signals its user's channel with the revoked id; a refused revoke signals nothing", async () => {
    const { s } = app;
    const other = await createSession(s.alice, "phone", "127.0.0.1");
    const revoked = await app.as("alice", () => deleteSession({ id: other.sessionId }));
    const signal = { scope: "sessions", ids: { session_id: other.sessionId } };
    expect(await app.drain()).toEqual([on(userChannel(s.alice), signal)]);
    expect(revoked).toMatchObject({ ok: true, signals: [signal] });

    const bobs = await createSession(s.bob, "bob-phone", "127.0.0.1");
    failure(await app.as("alice", () => deleteSession({ id: bobs.sessionId })), "NOT_FOUND");
    expect(await app.drain()).toEqual([]);
  });

  it("logout signals the signed-out session; a second logout with the dead cookie signals nothing", async () => {
    const { s } = app;
    const { sessionId } = await app.as("alice", () => signInAs("alice", "laptop"));
    await logout();
    expect(await app.drain()).toEqual([on(userChannel(s.alice), { scope: "sessions", ids: { session_id: sessionId } })]);
    request.cookies.set(SESSION_COOKIE, "dead-token");
    await logout();
    expect(await app.drain()).toEqual([]);
  });

  it("logout of a session that expired by idling still deletes its row and tells the user's other devices", async () => {
    const { s } = app;
    const { sessionId } = await app.as("alice", () => signInAs("alice", "forgotten laptop"));
    const db = await getDb();
    await db.update(userSessions).set({ last_action_at: new Date(Date.now() - (SESSION_MAX_AGE_S + 60) * 1000) }).where(eq(userSessions.id, sessionId));
    await logout();
    expect(await app.drain()).toEqual([on(userChannel(s.alice), { scope: "sessions", ids: { session_id: sessionId } })]);
    expect(await sessionIds(s.alice)).not.toContain(sessionId);
  });

  it("revoking a session closes its sockets at the broker: a client that ignores every signal receives nothing more, the user's other device still does, and a new connection is refused", async () => {
    const { s } = app;
    const channel = userChannel(s.alice);
    const stolen = await createSession(s.alice, "stolen cookie", "127.0.0.1");
    const laptop = await createSession(s.alice, "laptop", "127.0.0.1");
    // Plain pusher-js clients that react to nothing: only the broker can take their subscriptions away.
    const hostile = await connectListener(app.soketi, stolen.token);
    const other = await connectListener(app.soketi, laptop.token);
    try {
      await hostile.listen(channel);
      await other.listen(channel);
      const subscribers = (await occupiedChannels())[channel]?.subscription_count ?? 0;
      await publishInvalidate(notificationsSignal(s.alice)).delivered();
      expect(await drainAll([hostile, other])).toEqual([[on(channel, notificationsSignal(s.alice).signal)], [on(channel, notificationsSignal(s.alice).signal)]]);

      ok(await app.as("alice", () => deleteSession({ id: stolen.sessionId })));
      await flushAfter(); // the revocation's after(): its signal, then terminate_connections for that session
      await expect.poll(() => hostile.pusher.connection.state, { timeout: 5_000 }).not.toBe("connected");
      await expect.poll(async () => (await occupiedChannels())[channel]?.subscription_count ?? 0, { timeout: 5_000 }).toBe(subscribers - 1);

      await publishInvalidate(notificationsSignal(s.alice)).delivered();
      const revokedSignal = { scope: "sessions", ids: { session_id: stolen.sessionId } };
      expect(await drain(other)).toEqual(sorted(on(channel, revokedSignal), on(channel, notificationsSignal(s.alice).signal)));
      expect(hostile.received.filter((r) => markerOf(r.data) === undefined).map((r) => withoutVersion(r.data))).toEqual([
        revokedSignal, // sent before its sockets were closed, so a cooperative tab signs itself out
      ]);

      // A client that reconnects on its own gets a new socket: the dead cookie signs it in as a guest only.
      hostile.pusher.connect();
      await expect.poll(() => hostile.pusher.connection.state, { timeout: 5_000 }).toBe("connected");
      hostile.forget(channel);
      const refused = once(hostile.pusher, channel, "pusher:subscription_error");
      hostile.pusher.subscribe(channel);
      expect(JSON.stringify(await refused)).toMatch(/401/);
    } finally {
      hostile.disconnect();
      other.disconnect();
    }
  });
});
