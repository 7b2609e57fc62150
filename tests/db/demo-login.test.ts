import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { closeDb, type Db } from "@/db/client";
import { userSessions } from "@/db/schema";
import { SESSION_COOKIE, SESSION_MAX_AGE_S, resolveSessionToken } from "@/backend/session-store";
import { resetEnvCache } from "@/env";
import { POST } from "@/app/api/auth/demo-login/route";
import { freshDb, userId } from "../helpers/db";

let db: Db;
const saved = { DEMO_LOGIN: process.env.DEMO_LOGIN, NODE_ENV: process.env.NODE_ENV };

function setEnv(vars: { DEMO_LOGIN?: string; NODE_ENV?: string }) {
  for (const [key, value] of Object.entries(vars)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  resetEnvCache();
}

function login(fields: Record<string, string>, headers: Record<string, string> = {}) {
  return POST(
    new Request("http://localhost:3000/api/auth/demo-login", {
      method: "POST",
      headers: {
        "user-agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/156.0 Safari/537.36",
        ...headers,
      },
      body: new URLSearchParams(fields),
    }),
  );
}

function sessionCookie(res: Response) {
  const header = res.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  if (!header) return undefined;
  const [pair, ...attrs] = header.split(/;\s*/);
  return { token: pair.slice(SESSION_COOKIE.length + 1), attrs: attrs.map((a) => a.toLowerCase()) };
}

beforeAll(async () => {
  db = await freshDb();
});
afterEach(() => setEnv(saved));
afterAll(() => closeDb());

describe("POST /api/auth/demo-login", () => {
  it("creates a session, sets the cookie and redirects to /", async () => {
    setEnv({ DEMO_LOGIN: "1" });
    const res = await login({ username: "alice" }, { "x-forwarded-for": "203.0.113.7, 10.0.0.1" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/");

    const cookie = sessionCookie(res)!;
    expect(cookie.attrs).toEqual(
      expect.arrayContaining(["httponly", "samesite=lax", "path=/", `max-age=${SESSION_MAX_AGE_S}`]),
    );
    expect(cookie.attrs).not.toContain("secure");

    const resolved = await resolveSessionToken(cookie.token);
    expect(resolved.user?.username).toBe("alice");
    const [row] = await db.select().from(userSessions).where(eq(userSessions.id, resolved.session!.id));
    expect(row.ip).toBe("203.0.113.7");
    expect(row.device).toBe("Chrome on Linux");
    expect(row.user_id).toBe(await userId("alice"));
  });

  it("is enabled by default outside production", async () => {
    setEnv({ DEMO_LOGIN: undefined, NODE_ENV: "development" });
    const res = await login({ username: "bob" });
    expect(res.status).toBe(303);
    expect((await resolveSessionToken(sessionCookie(res)!.token)).user?.username).toBe("bob");
  });

  it("returns 404 in production unless DEMO_LOGIN=1, and writes nothing", async () => {
    const before = (await db.select().from(userSessions)).length;
    setEnv({ DEMO_LOGIN: undefined, NODE_ENV: "production" });
    expect((await login({ username: "alice" })).status).toBe(404);
    setEnv({ DEMO_LOGIN: "0", NODE_ENV: "development" });
    const res = await login({ username: "alice" });
    expect(res.status).toBe(404);
    expect(sessionCookie(res)).toBeUndefined();
    expect((await db.select().from(userSessions)).length).toBe(before);
  });

  it("marks the cookie Secure in production", async () => {
    setEnv({ DEMO_LOGIN: "1", NODE_ENV: "production" });
    const res = await login({ username: "carol" });
    expect(res.status).toBe(303);
    expect(sessionCookie(res)!.attrs).toContain("secure");
  });

  it("rejects an unknown user with 400 and a message", async () => {
    setEnv({ DEMO_LOGIN: "1" });
    const res = await login({ username: "mallory" });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/Unknown demo user "mallory"/);
    expect(sessionCookie(res)).toBeUndefined();
  });

  it("rejects invalid input with 400", async () => {
    setEnv({ DEMO_LOGIN: "1" });
    const missing = await login({});
    expect(missing.status).toBe(400);
    expect(await missing.text()).toMatch(/username is required/);
    const bad = await login({ username: "alice'; drop table users; --" });
    expect(bad.status).toBe(400);
    const notForm = await POST(
      new Request("http://localhost:3000/api/auth/demo-login", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "alice" }),
      }),
    );
    expect(notForm.status).toBe(400);
  });

  it("follows only same-origin relative `next` paths", async () => {
    setEnv({ DEMO_LOGIN: "1" });
    const cases: Array<[string, string]> = [
      ["/@alice/hello-realtime", "/@alice/hello-realtime"],
      ["/dashboard?tab=drafts#top", "/dashboard?tab=drafts#top"],
      ["https://evil.example/", "/"],
      ["//evil.example/path", "/"],
      ["/\\evil.example", "/"],
      ["javascript:alert(1)", "/"],
      ["dashboard", "/"],
      // Dot segments and encodings that normalise to a protocol-relative "//evil.com" (the probe that redirected).
      ["/.//evil.com", "/"],
      ["/%2e//evil.com", "/"],
      ["/a/..//evil.com", "/"],
      ["/./\\evil.com", "/"],
      ["/\tevil.com", "/"],
      ["/%2e%2e//evil.com/x", "/"],
      ["/articles/../@bob", "/@bob"],
    ];
    for (const [next, expected] of cases) {
      const res = await login({ username: "alice", next });
      expect(res.headers.get("location"), next).toBe(expected);
    }
  });

  it("answers 413 to a form over 4 KB: declared, or streamed without a length, reading no further than the cap", async () => {
    setEnv({ DEMO_LOGIN: "1" });
    const declared = await POST(
      new Request("http://localhost:3000/api/auth/demo-login", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", "content-length": String(200 * 1024 * 1024) },
        body: "username=alice",
      }),
    );
    expect(declared.status).toBe(413);

    let pulled = 0;
    const chunk = new TextEncoder().encode("x".repeat(1024));
    const endless = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          pulled += chunk.byteLength;
          controller.enqueue(chunk);
        },
      },
      { highWaterMark: 0 },
    );
    const streamed = await POST(
      new Request("http://localhost:3000/api/auth/demo-login", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: endless,
        duplex: "half",
      } as RequestInit),
    );
    expect(streamed.status).toBe(413);
    expect(pulled).toBeLessThanOrEqual(8 * 1024);

    const fine = await login({ username: "alice", next: "/x".repeat(1000) });
    expect(fine.status).toBe(303);
  });

  it("refuses a cross-site form post", async () => {
    setEnv({ DEMO_LOGIN: "1" });
    const res = await login({ username: "alice" }, { origin: "https://evil.example", host: "localhost:3000" });
    expect(res.status).toBe(403);
    const same = await login({ username: "alice" }, { origin: "http://localhost:3000", host: "localhost:3000" });
    expect(same.status).toBe(303);
  });
});
