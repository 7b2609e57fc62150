import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import * as dbClient from "@/db/client";
import { getEnv, resetEnvCache } from "@/env";
import { allow, createRealtimeAuthHandler, createRealtimeServer, MAX_AUTH_BODY_BYTES } from "@/lib/realtime/server";
import { POST } from "@/app/api/realtime/auth/route";
import { deleteSessionByToken } from "@/backend/session-store";
import { articleFeedChannel, profileChannel, resourceChannel, tagChannel, userChannel } from "@/backend/realtime/channels";
import { scopes } from "@/backend/realtime/scopes";
import { brokerConfig } from "@/backend/realtime/server";
import { freshDb, signInAs, signOut } from "../../helpers/db";
import { resetRequest } from "../../helpers/next-request";
import { MISSING_ID, seeded, type Seeded } from "../../db/fixtures";
import { POST as SIGNIN } from "@/app/api/realtime/signin/route";
import { APP_ORIGIN, authRequest, callAuth, callSignin, expectedAuth, signinRequest, streamedAuthRequest } from "./auth-helpers";
import { createHmac } from "node:crypto";
import { eq } from "drizzle-orm";
import { realtimeSockets } from "@/db/schema";
import { SOCKETS_PER_SESSION } from "@/backend/realtime/connection-sign-in";

/**
 * POST /api/realtime/auth, the channel authorization route (the library's handler with the app's session and channel
 * policy), called directly: who gets a signature, and exactly why everyone else does not.
 */
const KEY = "route-key";
const SECRET = "route-secret";
const SOCKET = "1234.5678";
const saved = { ...process.env };

function configure(on: boolean) {
  for (const k of ["PUSHER_APP_ID", "PUSHER_KEY", "PUSHER_SECRET", "PUSHER_HOST", "PUSHER_PORT"]) delete process.env[k];
  // Signing needs no broker round trip: nothing listens on port 9.
  if (on) Object.assign(process.env, { PUSHER_APP_ID: "route-app", PUSHER_KEY: KEY, PUSHER_SECRET: SECRET, PUSHER_HOST: "127.0.0.1", PUSHER_PORT: "9" });
  process.env.APP_URL = APP_ORIGIN;
  resetEnvCache();
}

let s: Seeded;
beforeAll(async () => {
  configure(true);
  await freshDb();
  s = await seeded();
});
afterAll(async () => {
  await dbClient.closeDb();
  process.env = saved;
  resetEnvCache();
});
beforeEach(() => {
  resetRequest();
  configure(true);
});
afterEach(() => vi.restoreAllMocks());

describe("POST /api/realtime/auth: user channels", () => {
  it("signs the caller's own channel with HMAC-SHA256 of socket_id:channel_name", async () => {
    await signInAs("alice");
    const channel = userChannel(s.alice);
    const res = await callAuth({ socket_id: SOCKET, channel_name: channel }, { origin: APP_ORIGIN });
    expect(res.status).toBe(200);
    expect(res.body.auth).toBe(expectedAuth(KEY, SECRET, SOCKET, channel));
    // Bound to the socket and the channel: neither can be swapped.
    expect(res.body.auth).not.toBe(expectedAuth(KEY, SECRET, "1234.5679", channel));
    expect(res.body.auth).not.toBe(expectedAuth(KEY, "other-secret", SOCKET, channel));
  });

  it("refuses another user's channel with 403", async () => {
    await signInAs("alice");
    const res = await callAuth({ socket_id: SOCKET, channel_name: userChannel(s.bob) });
    expect(res).toEqual({ status: 403, body: { error: expect.any(String) } });
  });

  it("answers 401 without a session, with an unknown token, and after the session was revoked", async () => {
    signOut();
    expect((await callAuth({ socket_id: SOCKET, channel_name: userChannel(s.alice) })).status).toBe(401);

    const { token } = await signInAs("alice");
    expect((await callAuth({ socket_id: SOCKET, channel_name: userChannel(s.alice) })).status).toBe(200);
    await deleteSessionByToken(token);
    const revoked = await callAuth({ socket_id: SOCKET, channel_name: userChannel(s.alice) });
    expect(revoked.status).toBe(401);
    expect(revoked.body.auth).toBeUndefined();
  });
});

describe("POST /api/realtime/auth: malformed and refused requests", () => {
  beforeEach(async () => {
    await signInAs("alice");
  });

  it.each([
    ["no fields", {}],
    ["missing channel", { socket_id: SOCKET }],
    ["missing socket", { channel_name: "USER" }],
    ["socket id not n.n", { socket_id: "abc", channel_name: "USER" }],
    ["socket id with suffix", { socket_id: "1.2\n3", channel_name: "USER" }],
    ["channel with forbidden characters", { socket_id: SOCKET, channel_name: "USER x" }],
    ["channel with a slash", { socket_id: SOCKET, channel_name: "USER/x" }],
    ["channel over 164 characters", { socket_id: SOCKET, channel_name: `USER${";".repeat(170)}` }],
  ])("400 for %s", async (_label, fields) => {
    const withChannel = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v.replace("USER", userChannel(s.alice))]));
    const res = await callAuth(withChannel);
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual(expect.any(String));
  });

  it("400 for a JSON body", async () => {
    const asJson = await POST(
      new Request(`${APP_ORIGIN}/api/realtime/auth`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ socket_id: SOCKET, channel_name: userChannel(s.alice) }),
      }),
    );
    expect(asJson.status).toBe(400);
  });

  it.each([
    ["an integer id", "private-user.12"],
    ["an upper-case UUID", "private-user.ALICE_UPPER"],
    ["an upper-case resource id", "private-resource.ARTICLE.HELLO_UPPER"],
    ["a UUID without dashes", "private-user.ALICE_NODASH"],
    ["a leading zero alias", "private-user.0ALICE"],
    ["an integer resource id", "private-resource.GIST.999999"],
  ])("403 Unknown channel for %s, without touching the database", async (_label, template) => {
    const channel = template
      .replace("ALICE_UPPER", s.alice.toUpperCase())
      .replace("HELLO_UPPER", s.hello.toUpperCase())
      .replace("ALICE_NODASH", s.alice.replaceAll("-", ""))
      .replace("ALICE", s.alice);
    const getDb = vi.spyOn(dbClient, "getDb");
    const res = await callAuth({ socket_id: SOCKET, channel_name: channel }, undefined, { signin: false });
    expect(res).toEqual({ status: 403, body: { error: "Unknown channel." } });
    expect(getDb).not.toHaveBeenCalled();
    // The same request for the canonical name is decided by the session and the policy (which read the database).
    const canonical = await callAuth({ socket_id: SOCKET, channel_name: userChannel(s.alice) });
    expect(canonical.status).toBe(200);
    expect(getDb).toHaveBeenCalled();
  });

  it.each([
    "presence-user.ALICE",
    "private-encrypted-user.ALICE",
    "private-tag.ALICE",
    "private-user.ALICE.x",
    "xprivate-user.ALICE",
    "private-resource.COMMENT.HELLO",
    "private-feed.articles",
  ])("403 for %s (an unknown kind, prefix or alias)", async (template) => {
    const res = await callAuth({ socket_id: SOCKET, channel_name: template.replace("ALICE", s.alice).replace("HELLO", s.hello) });
    expect(res).toEqual({ status: 403, body: { error: "Unknown channel." } });
  });

  it("403 for a public channel, which needs no signature, without touching the database", async () => {
    const getDb = vi.spyOn(dbClient, "getDb");
    for (const channel of [tagChannel(MISSING_ID), profileChannel(s.alice), articleFeedChannel()]) {
      const res = await callAuth({ socket_id: SOCKET, channel_name: channel }, undefined, { signin: false });
      expect(res, channel).toEqual({ status: 403, body: { error: "Public channels need no authorization." } });
    }
    expect(getDb).not.toHaveBeenCalled();
    // A private channel is decided by the session and the policy, which do read the database.
    expect((await callAuth({ socket_id: SOCKET, channel_name: resourceChannel("ARTICLE", s.hello) })).status).toBe(200);
    expect(getDb).toHaveBeenCalled();
  });

  it("403 for a cross-site Origin; the app's own origin and the request host are accepted", async () => {
    const fields = { socket_id: SOCKET, channel_name: userChannel(s.alice) };
    expect((await callAuth(fields, { origin: "https://evil.example" })).status).toBe(403);
    expect((await callAuth(fields, { origin: "http://localhost:3000.evil.example" })).status).toBe(403);
    expect((await callAuth(fields, { origin: "null" })).status).toBe(403);
    expect((await callAuth(fields, { "sec-fetch-site": "cross-site" })).status).toBe(403);
    expect((await callAuth(fields, { origin: APP_ORIGIN })).status).toBe(200);
    expect((await callAuth(fields, { origin: "http://127.0.0.1:4000", host: "127.0.0.1:4000" })).status).toBe(200);
  });

  it("503 when realtime is not configured", async () => {
    configure(false);
    vi.spyOn(console, "info").mockImplementation(() => {});
    const res = await callAuth({ socket_id: SOCKET, channel_name: userChannel(s.alice) });
    expect(res).toEqual({ status: 503, body: { error: expect.any(String) } });
  });

  it("503, never 500, when something underneath fails", async () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    const permissions = await import("@/backend/permissions");
    // The channel policy's read (canReadResource's rule for several resources at once).
    vi.spyOn(permissions, "readableRootResources").mockRejectedValueOnce(new Error("database went away"));
    const res = await callAuth({ socket_id: SOCKET, channel_name: resourceChannel("ARTICLE", s.hello) });
    expect(res).toEqual({ status: 503, body: { error: expect.any(String) } });
    expect(error).toHaveBeenCalled();
    // Once the database answers again, the same request is signed.
    expect((await callAuth({ socket_id: SOCKET, channel_name: resourceChannel("ARTICLE", s.hello) })).status).toBe(200);
  });
});

describe("POST /api/realtime/auth: the body is read up to 2 KB and no further", () => {
  beforeEach(async () => {
    await signInAs("alice");
  });

  /** A valid form body padded to exactly `bytes` bytes. */
  const padded = (bytes: number) => {
    const base = `socket_id=${SOCKET}&channel_name=${encodeURIComponent(userChannel(s.alice))}&pad=`;
    return base + "x".repeat(bytes - base.length);
  };

  it("reads a body of exactly 2048 bytes, and answers 413 for 2049", async () => {
    expect(MAX_AUTH_BODY_BYTES).toBe(2048);
    expect((await callAuth(padded(2048))).status).toBe(200);
    expect(await callAuth(padded(2049))).toEqual({ status: 413, body: { error: expect.stringMatching(/2048 bytes/) } });
  });

  it("413 at once for a Content-Length over the cap: not one byte of the body is read", async () => {
    const { request, read } = streamedAuthRequest({ chunkBytes: 512, totalBytes: 4096, headers: { "content-length": "4096" } });
    const res = await POST(request);
    expect(res.status).toBe(413);
    expect(read.bytes).toBe(0);
  });

  it("413 for a chunked body that grows past the cap: reading stops there and the rest is never asked for", async () => {
    const { request, read } = streamedAuthRequest({ chunkBytes: 512, totalBytes: Infinity });
    const res = await POST(request);
    expect(res.status).toBe(413);
    expect(read.bytes).toBeGreaterThan(MAX_AUTH_BODY_BYTES);
    expect(read.bytes).toBeLessThanOrEqual(MAX_AUTH_BODY_BYTES + 512);
    expect(read.cancelled).toBe(true);
    // A small streamed body goes through the same reader.
    const small = streamedAuthRequest({ chunkBytes: 512, totalBytes: 1024 });
    expect((await POST(small.request)).status).toBe(400);
    expect(small.read.bytes).toBe(1024);
  });

  it("the cap is checked before the session: an oversized body costs no database work", async () => {
    const getDb = vi.spyOn(dbClient, "getDb");
    expect((await callAuth(padded(5000), undefined, { signin: false })).status).toBe(413);
    expect(getDb).not.toHaveBeenCalled();
    expect((await callAuth(padded(2000))).status).toBe(200);
    expect(getDb).toHaveBeenCalled();
  });
});

describe("createRealtimeAuthHandler: what reaches the host's session and policy", () => {
  it("only a well-formed, canonical, private channel of the host reaches getSession and canAccess", async () => {
    const realtime = createRealtimeServer({ scopes, broker: () => brokerConfig(getEnv()) });
    const getSession = vi.fn(async () => ({ user: "someone" }));
    const canAccess = vi.fn(() => allow);
    const signIn = { userOf: () => null, remember: async () => {}, isSignedIn: async () => true };
    const handler = createRealtimeAuthHandler({ realtime, getSession, canAccess, signIn });
    const post = async (channel: string) => (await handler(authRequest({ socket_id: SOCKET, channel_name: channel }))).status;

    for (const channel of ["private-user.12", userChannel(s.alice).toUpperCase(), `private-user.${s.alice.toUpperCase()}`, tagChannel(s.alice)]) {
      expect(await post(channel), channel).toBe(403);
    }
    expect(await post("private user")).toBe(400);
    expect(getSession).not.toHaveBeenCalled();
    expect(canAccess).not.toHaveBeenCalled();

    expect(await post(resourceChannel("GIST", s.publicGist))).toBe(200);
    expect(getSession).toHaveBeenCalledTimes(1);
    expect(canAccess).toHaveBeenCalledWith(
      { user: "someone" },
      { kind: "resource", name: resourceChannel("GIST", s.publicGist), private: true, params: { type: "GIST", id: s.publicGist } },
    );
  });
});

describe("createRealtimeAuthHandler: the session and the socket's sign-in in one read (getSessionOnSocket)", () => {
  const realtime = () => createRealtimeServer({ scopes, broker: () => brokerConfig(getEnv()) });
  const signIn = (user: string | null) => ({ userOf: () => user, remember: async () => {}, isSignedIn: vi.fn(async () => true) });

  it("a host's getSessionOnSocket replaces getSession and isSignedIn: one call per request, batch or not, with its socket", async () => {
    const getSession = vi.fn(async () => ({ user: "someone" }));
    const getSessionOnSocket = vi.fn(async () => ({ session: { user: "someone" }, signedIn: true }));
    const hostSignIn = signIn("session-1");
    const handler = createRealtimeAuthHandler({ realtime: realtime(), getSession, getSessionOnSocket, canAccess: () => allow, signIn: hostSignIn });
    const one = await handler(authRequest({ socket_id: SOCKET, channel_name: userChannel(s.alice) }));
    expect(one.status).toBe(200);
    const batch = new URLSearchParams({ socket_id: "77.88" });
    for (const channel of [userChannel(s.alice), resourceChannel("GIST", s.publicGist)]) batch.append("channel_name", channel);
    expect((await handler(authRequest(batch.toString()))).status).toBe(200);
    expect(getSessionOnSocket.mock.calls).toEqual([[SOCKET], ["77.88"]]);
    expect(getSession).not.toHaveBeenCalled();
    expect(hostSignIn.isSignedIn).not.toHaveBeenCalled();
  });

  it("a session whose socket is not signed in is refused with 403; a visitor (no broker user) needs no sign-in", async () => {
    const getSession = async () => ({ user: "someone" });
    const unsigned = async () => ({ session: { user: "someone" }, signedIn: false });
    const asSession = createRealtimeAuthHandler({ realtime: realtime(), getSession, getSessionOnSocket: unsigned, canAccess: () => allow, signIn: signIn("session-1") });
    const refused = await asSession(authRequest({ socket_id: SOCKET, channel_name: userChannel(s.alice) }));
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ error: "This connection is not signed in as your session." });

    const asVisitor = createRealtimeAuthHandler({ realtime: realtime(), getSession, getSessionOnSocket: unsigned, canAccess: () => allow, signIn: signIn(null) });
    expect((await asVisitor(authRequest({ socket_id: SOCKET, channel_name: resourceChannel("GIST", s.publicGist) }))).status).toBe(200);
  });

  it("the app's route: a revoked session is no session, whatever its sockets; another session's socket is not this one's", async () => {
    const { token } = await signInAs("carol");
    await callSignin({ socket_id: "41.42" }, { origin: APP_ORIGIN });
    const channel = userChannel(s.carol);
    expect((await callAuth({ socket_id: "41.42", channel_name: channel }, undefined, { signin: false })).status).toBe(200);
    expect((await callAuth({ socket_id: "41.43", channel_name: channel }, undefined, { signin: false })).status).toBe(403);
    await deleteSessionByToken(token);
    expect((await callAuth({ socket_id: "41.42", channel_name: channel }, undefined, { signin: false })).status).toBe(401);
  });
});

describe("createRealtimeAuthHandler: the policy and the versions side by side", () => {
  it("a refused channel's version is read with the others but never sent; a signed one carries its own", async () => {
    const realtime = createRealtimeServer({ scopes, broker: () => brokerConfig(getEnv()) });
    const mine = userChannel(s.alice);
    const theirs = userChannel(s.bob);
    const readVersions = vi.fn(async (names: readonly string[]) => Object.fromEntries(names.map((name, i) => [name, 10 + i])));
    const handler = createRealtimeAuthHandler({
      realtime,
      getSession: async () => "alice",
      canAccess: (_session, channel) => (channel.name === mine ? allow : { ok: false, status: 403, error: "Not your channel." }),
      signIn: { userOf: () => null, remember: async () => {}, isSignedIn: async () => true },
      readVersions,
    });
    const body = new URLSearchParams({ socket_id: SOCKET });
    body.append("channel_name", theirs);
    body.append("channel_name", mine);
    const res = await handler(authRequest(body.toString()));
    expect(await res.json()).toEqual({
      channels: {
        [theirs]: { status: 403, error: "Not your channel." },
        [mine]: { auth: expectedAuth(KEY, SECRET, SOCKET, mine), channel_version: 11 },
      },
    });
    expect(readVersions).toHaveBeenCalledTimes(1);
  });
});

describe("POST /api/realtime/auth and /signin: answers Next does not gzip", () => {
  it("every answer is Cache-Control: no-store, no-transform (signed, refused, malformed, batched, and the sign-in's)", async () => {
    await signInAs("alice");
    const batch = new URLSearchParams({ socket_id: SOCKET });
    for (const channel of [userChannel(s.alice), userChannel(s.bob)]) batch.append("channel_name", channel);
    const responses = [
      await POST(authRequest({ socket_id: SOCKET, channel_name: userChannel(s.alice) })),
      await POST(authRequest({ socket_id: SOCKET, channel_name: userChannel(s.bob) })),
      await POST(authRequest({ socket_id: "nope", channel_name: userChannel(s.alice) })),
      await POST(authRequest(batch.toString())),
      await SIGNIN(signinRequest({ socket_id: SOCKET })),
    ];
    expect(responses.map((r) => r.headers.get("cache-control"))).toEqual(Array(responses.length).fill("no-store, no-transform"));
  });
});

describe("POST /api/realtime/auth: resource channels follow canReadResource", () => {
  it("signs published articles and public gists for anyone, drafts and private gists only for their owner", async () => {
    const published = resourceChannel("ARTICLE", s.hello);
    const draft = resourceChannel("ARTICLE", s.draft);
    const publicGist = resourceChannel("GIST", s.publicGist);
    const privateGist = resourceChannel("GIST", s.privateGist);
    const status = async (channel: string) => (await callAuth({ socket_id: SOCKET, channel_name: channel })).status;

    signOut();
    expect([await status(published), await status(publicGist), await status(draft), await status(privateGist)]).toEqual([200, 200, 403, 403]);
    await signInAs("alice");
    expect([await status(draft), await status(privateGist)]).toEqual([200, 403]);
    await signInAs("bob");
    expect([await status(draft), await status(privateGist)]).toEqual([403, 200]);
    // A missing resource (a well-formed id no row has) looks exactly like a hidden one.
    const missing = await callAuth({ socket_id: SOCKET, channel_name: resourceChannel("ARTICLE", MISSING_ID) });
    const hidden = await callAuth({ socket_id: SOCKET, channel_name: draft });
    expect(missing).toEqual(hidden);
    expect(missing.status).toBe(403);
    const signed = await callAuth({ socket_id: SOCKET, channel_name: privateGist });
    expect(signed.body.auth).toBe(expectedAuth(KEY, SECRET, SOCKET, privateGist));
  });
});

describe("POST /api/realtime/signin and the signed-in socket rule", () => {
  const userAuth = (socketId: string, userData: string) => `${KEY}:${createHmac("sha256", SECRET).update(`${socketId}::user::${userData}`).digest("hex")}`;

  it("signs a session's socket in as that session (not the person), and a visitor's as a guest of that socket only", async () => {
    const { token, sessionId } = await signInAs("alice");
    expect(token).toBeTruthy();
    const mine = await callSignin({ socket_id: SOCKET }, { origin: APP_ORIGIN });
    expect(mine.status).toBe(200);
    expect(JSON.parse(mine.body.user_data!)).toEqual({ id: sessionId });
    expect(mine.body.auth).toBe(userAuth(SOCKET, mine.body.user_data!));

    signOut();
    const guest = await callSignin({ socket_id: "77.88" }, { origin: APP_ORIGIN });
    expect(guest.status).toBe(200);
    expect(JSON.parse(guest.body.user_data!)).toEqual({ id: "guest-77.88" });
    expect(guest.body.auth).toBe(userAuth("77.88", guest.body.user_data!));
  });

  it("signs a session's channel only on a socket that session signed in; another session's sign-in does not count", async () => {
    await signInAs("alice");
    const channel = userChannel(s.alice);
    const unsigned = await callAuth({ socket_id: "5.6", channel_name: channel }, { origin: APP_ORIGIN }, { signin: false });
    expect(unsigned).toEqual({ status: 403, body: { error: "This connection is not signed in as your session." } });

    // The same person on another device signs the socket in: still not this session's socket.
    await signInAs("alice", "other device");
    await callSignin({ socket_id: "5.6" }, { origin: APP_ORIGIN });
    await signInAs("alice", "this device");
    expect((await callAuth({ socket_id: "5.6", channel_name: channel }, { origin: APP_ORIGIN }, { signin: false })).status).toBe(403);

    await callSignin({ socket_id: "5.6" }, { origin: APP_ORIGIN });
    const signed = await callAuth({ socket_id: "5.6", channel_name: channel }, { origin: APP_ORIGIN }, { signin: false });
    expect(signed.status).toBe(200);
    expect(signed.body.auth).toBe(expectedAuth(KEY, SECRET, "5.6", channel));

    // A visitor needs no sign-in for what anyone may read (nothing of theirs to terminate).
    signOut();
    expect((await callAuth({ socket_id: "9.9", channel_name: resourceChannel("ARTICLE", s.hello) }, { origin: APP_ORIGIN }, { signin: false })).status).toBe(200);
  });

  it("forgets a session's sockets with the session, and keeps only its newest few", async () => {
    const { sessionId, token } = await signInAs("bob");
    const db = await dbClient.getDb();
    for (let i = 0; i < SOCKETS_PER_SESSION + 5; i++) expect((await callSignin({ socket_id: `${i}.1` }, { origin: APP_ORIGIN })).status).toBe(200);
    const rows = await db.select().from(realtimeSockets).where(eq(realtimeSockets.session_id, sessionId));
    expect(rows).toHaveLength(SOCKETS_PER_SESSION);
    expect(rows.map((r) => r.socket_id)).toContain(`${SOCKETS_PER_SESSION + 4}.1`);

    await deleteSessionByToken(token);
    expect(await db.select().from(realtimeSockets).where(eq(realtimeSockets.session_id, sessionId))).toHaveLength(0);
  });

  it("refuses what pusher-js would never send, with the same limits as channel authorization", async () => {
    await signInAs("alice");
    expect((await callSignin({ socket_id: "abc" }, { origin: APP_ORIGIN })).status).toBe(400);
    expect((await callSignin({ socket_id: "1.2" }, { origin: "https://evil.example" })).status).toBe(403);
    expect((await callSignin(`socket_id=1.2&pad=${"x".repeat(MAX_AUTH_BODY_BYTES)}`, { origin: APP_ORIGIN })).status).toBe(413);
    configure(false);
    expect((await callSignin({ socket_id: "1.2" }, { origin: APP_ORIGIN })).status).toBe(503);
  });
});
