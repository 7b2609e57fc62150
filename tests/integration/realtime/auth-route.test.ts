import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { resetEnvCache } from "@/env";
import { deleteSessionByToken } from "@/backend/session-store";
import { freshDb, signInAs, signOut, userId } from "../../helpers/db";
import { resetRequest } from "../../helpers/next-request";
import { APP_ORIGIN, articleId, callAuth, expectedAuth, gistId } from "./auth-helpers";

const KEY = "route-key";
const SECRET = "route-secret";
const SOCKET = "1234.5678";
const saved = { ...process.env };

function configure(on: boolean) {
  for (const k of ["PUSHER_APP_ID", "PUSHER_KEY", "PUSHER_SECRET", "PUSHER_HOST", "PUSHER_PORT"]) delete process.env[k];
  if (on) Object.assign(process.env, { PUSHER_APP_ID: "route-app", PUSHER_KEY: KEY, PUSHER_SECRET: SECRET, PUSHER_HOST: "127.0.0.1", PUSHER_PORT: "9" });
  process.env.APP_URL = APP_ORIGIN;
  resetEnvCache();
}

let alice: number;
let bob: number;
beforeAll(async () => {
  await freshDb();
  alice = await userId("alice");
  bob = await userId("bob");
});
afterAll(() => {
  process.env = saved;
  resetEnvCache();
});
beforeEach(() => {
  resetRequest();
  configure(true);
});

describe("POST /api/realtime/auth: user channels", () => {
  it("signs the caller's own channel with HMAC-SHA256 of socket_id:channel_name", async () => {
    await signInAs("alice");
    const channel = `private-user.${alice}`;
    const res = await callAuth({ socket_id: SOCKET, channel_name: channel }, { origin: APP_ORIGIN });
    expect(res.status).toBe(200);
    expect(res.body.auth).toBe(expectedAuth(KEY, SECRET, SOCKET, channel));
    // Bound to the socket and the channel: neither can be swapped.
    expect(res.body.auth).not.toBe(expectedAuth(KEY, SECRET, "1234.5679", channel));
    expect(res.body.auth).not.toBe(expectedAuth(KEY, "other-secret", SOCKET, channel));
  });

  it("refuses another user's channel with 403", async () => {
    await signInAs("alice");
    const res = await callAuth({ socket_id: SOCKET, channel_name: `private-user.${bob}` });
    expect(res).toEqual({ status: 403, body: { error: expect.any(String) } });
  });

  it("answers 401 without a session, with an unknown token, and after the session was revoked", async () => {
    signOut();
    expect((await callAuth({ socket_id: SOCKET, channel_name: `private-user.${alice}` })).status).toBe(401);

    const { token } = await signInAs("alice");
    expect((await callAuth({ socket_id: SOCKET, channel_name: `private-user.${alice}` })).status).toBe(200);
    await deleteSessionByToken(token);
    const revoked = await callAuth({ socket_id: SOCKET, channel_name: `private-user.${alice}` });
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
    ["missing socket", { channel_name: "private-user.1" }],
    ["socket id not n.n", { socket_id: "abc", channel_name: "private-user.1" }],
    ["socket id with suffix", { socket_id: "1.2\n3", channel_name: "private-user.1" }],
    ["channel with forbidden characters", { socket_id: SOCKET, channel_name: "private-user.1 x" }],
    ["channel with a slash", { socket_id: SOCKET, channel_name: "private-user/1" }],
    ["channel over 164 characters", { socket_id: SOCKET, channel_name: `private-user.1${";".repeat(170)}` }],
  ])("400 for %s", async (_label, fields) => {
    const res = await callAuth(fields as Record<string, string>);
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual(expect.any(String));
  });

  it("400 for a JSON body and for an oversized body", async () => {
    const { POST } = await import("@/app/api/realtime/auth/route");
    const asJson = await POST(
      new Request(`${APP_ORIGIN}/api/realtime/auth`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ socket_id: SOCKET, channel_name: `private-user.${alice}` }),
      }),
    );
    expect(asJson.status).toBe(400);
    const big = await callAuth(`socket_id=${SOCKET}&channel_name=private-user.${alice}&pad=${"x".repeat(5000)}`);
    expect(big.status).toBe(400);
  });

  it.each([
    "presence-user.1",
    "private-encrypted-user.1",
    "private-tag.1",
    "private-user.1.x",
    "private-user.01",
    "xprivate-user.1",
    "private-resource.COMMENT.1",
    "tag.1",
    "profile.1",
  ])("403 for %s (unknown prefix, alias, or a public channel)", async (channel) => {
    const res = await callAuth({ socket_id: SOCKET, channel_name: channel });
    expect(res.status).toBe(403);
    expect(res.body.auth).toBeUndefined();
  });

  it("403 for a cross-site Origin; the app's own origin and the request host are accepted", async () => {
    const fields = { socket_id: SOCKET, channel_name: `private-user.${alice}` };
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
    const res = await callAuth({ socket_id: SOCKET, channel_name: `private-user.${alice}` });
    expect(res).toEqual({ status: 503, body: { error: expect.any(String) } });
  });

  it("503, never 500, when something underneath fails", async () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    const permissions = await import("@/backend/permissions");
    vi.spyOn(permissions, "canReadResource").mockRejectedValueOnce(new Error("database went away"));
    const res = await callAuth({ socket_id: SOCKET, channel_name: "private-resource.ARTICLE.1" });
    expect(res.status).toBe(503);
    expect(error).toHaveBeenCalled();
    vi.restoreAllMocks();
  });
});

describe("POST /api/realtime/auth: resource channels follow canReadResource", () => {
  it("signs published articles and public gists for anyone, drafts and private gists only for their owner", async () => {
    const published = `private-resource.ARTICLE.${await articleId("hello-realtime")}`;
    const draft = `private-resource.ARTICLE.${await articleId("alice-draft")}`;
    const publicGist = `private-resource.GIST.${await gistId("debounce.ts")}`;
    const privateGist = `private-resource.GIST.${await gistId("notes.md")}`;
    const status = async (channel: string) => (await callAuth({ socket_id: SOCKET, channel_name: channel })).status;

    signOut();
    expect([await status(published), await status(publicGist), await status(draft), await status(privateGist)]).toEqual([
      200, 200, 403, 403,
    ]);
    await signInAs("alice");
    expect([await status(draft), await status(privateGist)]).toEqual([200, 403]);
    await signInAs("bob");
    expect([await status(draft), await status(privateGist)]).toEqual([403, 200]);
    // A missing resource looks exactly like a hidden one.
    expect(await status("private-resource.ARTICLE.999999")).toBe(403);
    const signed = await callAuth({ socket_id: SOCKET, channel_name: privateGist });
    expect(signed.body.auth).toBe(expectedAuth(KEY, SECRET, SOCKET, privateGist));
  });
});
