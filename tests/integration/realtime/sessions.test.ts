import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { getDb } from "@/db/client";
import { userSessions } from "@/db/schema";
import { POST as demoLogin } from "@/app/api/auth/demo-login/route";
import { deleteSession, logout } from "@/backend/services/session.actions";
import { createSession, SESSION_COOKIE } from "@/backend/session-store";
import { userChannel } from "@/backend/realtime/channels";
import { signInAs } from "../../helpers/db";
import { request, resetRequest } from "../../helpers/next-request";
import { failure, ok } from "../../db/fixtures";
import { APP_ORIGIN } from "./auth-helpers";
import { connectListener, on } from "./listeners";
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

  it("a revoked session cannot subscribe to its user channel again (a reconnect is refused with 401)", async () => {
    const { s } = app;
    const device = await createSession(s.alice, "revoked-device", "127.0.0.1");
    const client = await connectListener(app.soketi, device.token);
    try {
      await client.listen(userChannel(s.alice));
      ok(await app.as("alice", () => deleteSession({ id: device.sessionId })));
      await app.drain();
      client.forget(userChannel(s.alice));
      const refused = once(client.pusher, userChannel(s.alice), "pusher:subscription_error");
      expect(JSON.stringify(await refused)).toMatch(/401/);
    } finally {
      client.disconnect();
    }
  });
});
