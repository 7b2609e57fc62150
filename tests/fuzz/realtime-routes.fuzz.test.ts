import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHmac } from "node:crypto";
import fc from "fast-check";
import { closeDb, getDb } from "@/db/client";
import { articles, comments, gists, tags, users } from "@/db/schema";
import { resetEnvCache } from "@/env";
import { POST as AUTH } from "@/app/api/realtime/auth/route";
import { POST as SIGNIN } from "@/app/api/realtime/signin/route";
import { SESSION_COOKIE, createSession, deleteSessionByToken } from "@/backend/session-store";
import { realtime } from "@/backend/realtime/server";
import { MAX_AUTH_CHANNELS } from "@/lib/realtime/server";
import { freshDb } from "../helpers/db";
import { request as nextRequest, resetRequest } from "../helpers/next-request";
import { MISSING_ID, seeded, type Seeded } from "../db/fixtures";
import { anyChannelName, anySocketId, canonicalUuid, invalidSocketId, validSocketId, type ChannelPools } from "./arbitraries";
import {
  APP_ORIGIN,
  bodyArb,
  buildRequest,
  cleanHeaders,
  field,
  fieldEntries,
  headerArb,
  readForm,
  referenceIsForm,
  referenceSameOrigin,
  referenceTooLarge,
  type BodySpec,
  type HeaderSpec,
  type Interpretation,
} from "./http-requests";
import { PUSHER_NAME, SOCKET_ID, referenceParseChannel } from "./reference";
import { newStats, note, printTotals, runProperty, timeoutFor, type Budget, type FuzzStats } from "./support";

/**
 * POST /api/realtime/auth and POST /api/realtime/signin, the real route handlers in-process, on a PGlite database
 * seeded with the demo data, under fuzzed bodies, headers, channel names, socket ids and cookies. Each answer is
 * compared with a reference policy written here from docs/realtime.md and the seeded rows:
 *   - never a 5xx (realtime is configured and the database works, so a 503 or a throw is a failure);
 *   - a 200 from the auth route exactly when the reference allows the (session, signed-in socket, channel) triple,
 *     with the signature HMAC-SHA256(secret, `socket_id:channel_name`);
 *   - a 200 from the sign-in route exactly for a well-formed same-origin request, as the session (its id) or as
 *     `guest-<socket_id>`, with the signature HMAC-SHA256(secret, `<socket_id>::user::<user_data>`).
 */

const KEY = "fuzz-key";
const SECRET = "fuzz-secret";
const CAP = 2048;
const AUTH_URL = `${APP_ORIGIN}/api/realtime/auth`;
const SIGNIN_URL = `${APP_ORIGIN}/api/realtime/signin`;
const saved = { ...process.env };

type Username = "alice" | "bob" | "carol";
const USERNAMES: Username[] = ["alice", "bob", "carol"];

// ---- Reference data: the seeded rows, read with queries of this file (not through canReadResource) -------------
let s: Seeded;
let userIds: Record<Username, string>;
const articleRows = new Map<string, { author: string; published: boolean }>();
const gistRows = new Map<string, { owner: string; isPublic: boolean }>();
let pools: ChannelPools;
/** Every private channel of the seeded data: each user's, each article's and each gist's. */
let seededPrivate: string[];
/** A second session per user ("another device"), that signs sockets in too. */
const otherDevice = {} as Record<Username, { token: string; sessionId: string }>;

beforeAll(async () => {
  for (const k of ["PUSHER_APP_ID", "PUSHER_KEY", "PUSHER_SECRET", "PUSHER_HOST", "PUSHER_PORT", "PUSHER_CLUSTER"]) delete process.env[k];
  // Signing needs no broker round trip: nothing listens on port 9.
  Object.assign(process.env, { PUSHER_APP_ID: "fuzz", PUSHER_KEY: KEY, PUSHER_SECRET: SECRET, PUSHER_HOST: "127.0.0.1", PUSHER_PORT: "9", APP_URL: APP_ORIGIN });
  resetEnvCache();
  await freshDb();
  s = await seeded();
  userIds = { alice: s.alice, bob: s.bob, carol: s.carol };
  const db = await getDb();
  for (const a of await db.select({ id: articles.id, author: articles.author_id, published: articles.published_at }).from(articles)) {
    articleRows.set(a.id, { author: a.author, published: a.published !== null });
  }
  for (const g of await db.select({ id: gists.id, owner: gists.owner_id, isPublic: gists.is_public }).from(gists)) {
    gistRows.set(g.id, { owner: g.owner, isPublic: g.isPublic });
  }
  const tagIds = (await db.select({ id: tags.id }).from(tags)).map((t) => t.id);
  const commentIds = (await db.select({ id: comments.id }).from(comments)).map((c) => c.id);
  const allUsers = (await db.select({ id: users.id }).from(users)).map((u) => u.id);
  // Every seeded id, a well-formed id no row has, and random ones; comments' and tags' ids stand in for others.
  const mix = (ids: string[]) => fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...ids, MISSING_ID) }, { weight: 1, arbitrary: fc.constantFrom(...commentIds, ...tagIds) }, { weight: 1, arbitrary: canonicalUuid });
  pools = { userIds: mix(allUsers), articleIds: mix([...articleRows.keys()]), gistIds: mix([...gistRows.keys()]) };
  seededPrivate = [
    ...allUsers.map((id) => `private-user.${id}`),
    ...[...articleRows.keys()].map((id) => `private-resource.ARTICLE.${id}`),
    ...[...gistRows.keys()].map((id) => `private-resource.GIST.${id}`),
  ];
  for (const u of USERNAMES) otherDevice[u] = await createSession(userIds[u], "fuzz other device", "127.0.0.1");
});

afterAll(async () => {
  printTotals("realtime-routes");
  resetRequest();
  realtime.dispose();
  await closeDb();
  process.env = saved;
  resetEnvCache();
});

// ---- The reference policy -----------------------------------------------------------------------------------------
type Viewer = { userId: string | null; sessionId: string | null; signedSockets: ReadonlySet<string> };
type Outcome = { status: number; socket?: string; channel?: string; userData?: string; batch?: Record<string, Outcome> };

function readable(type: string, id: string, viewer: string | null): boolean {
  if (type === "ARTICLE") {
    const row = articleRows.get(id);
    return !!row && (row.published || row.author === viewer);
  }
  const row = gistRows.get(id);
  return !!row && (row.isPublic || row.owner === viewer);
}

/** The checks both routes make first (same origin, a form, within the cap), then `decide` per reading of the form. */
function referenceRoute(req: Request, bytes: Uint8Array | null, decide: (form: Record<string, string>) => Outcome): Outcome[] {
  if (!referenceSameOrigin(req, APP_ORIGIN)) return [{ status: 403 }];
  const out: Outcome[] = [];
  const form = referenceIsForm(req);
  if (form === "no") return [{ status: 400 }];
  const big = referenceTooLarge(req, bytes?.length ?? 0, CAP);
  if (big === "yes") return [{ status: 413 }];
  const readings = readForm(bytes);
  for (const reading of ["first", "last"] as Interpretation[]) out.push(decide(readings[reading]));
  return out;
}

/** One channel's answer for a well-formed socket id: the policy of docs/realtime.md. */
function referenceChannel(socket: string, channel: string, viewer: Viewer): Outcome {
  if (!PUSHER_NAME.test(channel)) return { status: 400 };
  const parsed = referenceParseChannel(channel);
  if (!parsed || !parsed.private) return { status: 403 }; // unknown, non-canonical, or public (needs no signature)
  if (viewer.sessionId !== null && !viewer.signedSockets.has(socket)) return { status: 403 }; // not this session's socket
  if (parsed.kind === "user") {
    if (viewer.userId === null) return { status: 401 };
    return viewer.userId === parsed.params.userId ? { status: 200, socket, channel } : { status: 403 };
  }
  return readable(parsed.params.type, parsed.params.id, viewer.userId) ? { status: 200, socket, channel } : { status: 403 };
}

function referenceAuth(req: Request, bytes: Uint8Array | null, viewer: Viewer): Outcome[] {
  // Several channel_name fields are a batch: 200 with each distinct channel's own answer, at most MAX_AUTH_CHANNELS.
  const names = new URLSearchParams(new TextDecoder().decode(bytes ?? new Uint8Array(0))).getAll("channel_name");
  return referenceRoute(req, bytes, (form) => {
    const socket = field(form, "socket_id");
    if (names.length > 1) {
      if (socket === undefined || !SOCKET_ID.test(socket) || names.length > MAX_AUTH_CHANNELS) return { status: 400 };
      return { status: 200, batch: Object.fromEntries([...new Set(names)].map((name) => [name, referenceChannel(socket, name, viewer)])) };
    }
    const channel = field(form, "channel_name");
    if (socket === undefined || !SOCKET_ID.test(socket) || channel === undefined) return { status: 400 };
    return referenceChannel(socket, channel, viewer);
  });
}

function referenceSignin(req: Request, bytes: Uint8Array | null, viewer: Viewer): Outcome[] {
  return referenceRoute(req, bytes, (form) => {
    const socket = field(form, "socket_id");
    if (socket === undefined || !SOCKET_ID.test(socket)) return { status: 400 };
    return { status: 200, socket, userData: JSON.stringify({ id: viewer.sessionId ?? `guest-${socket}` }) };
  });
}

const hmac = (text: string) => createHmac("sha256", SECRET).update(text).digest("hex");

/** Calls a handler; a throw is a 5xx (Next would answer 500). */
async function call(handler: (req: Request) => Promise<Response>, req: Request, stats: FuzzStats) {
  let res: Response;
  try {
    res = await handler(req);
  } catch (err) {
    stats.fiveXX++;
    throw new Error(`the handler threw (a 500 in Next): ${err instanceof Error ? err.stack : String(err)}`);
  }
  const text = await res.text();
  if (res.status >= 500) {
    stats.fiveXX++;
    throw new Error(`5xx: ${res.status} ${text}`);
  }
  expect(res.headers.get("content-type") ?? "").toMatch(/^application\/json/);
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new Error(`not JSON: ${res.status} ${text.slice(0, 200)}`);
  }
  return { status: res.status, body };
}

/** A channel's signature, and its version (the tab's baseline for gap detection), nothing else. */
function isSignedFor(o: Outcome, body: Record<string, unknown>): boolean {
  const version = body.channel_version;
  return (
    body.auth === `${KEY}:${hmac(`${o.socket}:${o.channel}`)}` &&
    Object.keys(body).sort().join() === "auth,channel_version" &&
    Number.isSafeInteger(version) &&
    (version as number) >= 0
  );
}

/** A batch's answer: every distinct channel answered exactly as its own request would be (refusals as `{status, error}`). */
function batchMatches(o: Outcome, body: Record<string, unknown>): boolean {
  if (o.status !== 200 || !o.batch || Object.keys(body).join() !== "channels") return false;
  const answers = body.channels as Record<string, Record<string, unknown>>;
  if (Object.keys(answers).sort().join("\n") !== Object.keys(o.batch).sort().join("\n")) return false;
  return Object.entries(o.batch).every(([name, expected]) => {
    const got = answers[name];
    if (expected.status === 200) return isSignedFor(expected, got);
    return Object.keys(got).sort().join() === "error,status" && got.status === expected.status && typeof got.error === "string";
  });
}

/** Checks an answer against the reference's possible outcomes; counts a wrongful signature before failing. */
function judge(route: "auth" | "signin", got: { status: number; body: Record<string, unknown> }, outcomes: Outcome[], stats: FuzzStats) {
  note(stats, `${route}-${got.status}${"channels" in got.body ? "-batch" : ""}`);
  const statuses = [...new Set(outcomes.map((o) => o.status))];
  if (got.status === 200) {
    const ok = outcomes.some((o) => {
      if (o.status !== 200) return false;
      if (route === "auth") return o.batch ? batchMatches(o, got.body) : isSignedFor(o, got.body);
      return got.body.user_data === o.userData && got.body.auth === `${KEY}:${hmac(`${o.socket}::user::${o.userData}`)}`;
    });
    if (!ok) {
      stats.wrongful++;
      throw new Error(`WRONGFUL SIGNATURE from ${route}: ${JSON.stringify(got.body)}; the reference allows ${JSON.stringify(outcomes)}`);
    }
  } else {
    expect(Object.keys(got.body), JSON.stringify(got.body)).toEqual(["error"]);
    expect(typeof got.body.error).toBe("string");
  }
  expect(statuses, `${route} answered ${got.status} ${JSON.stringify(got.body)}`).toContain(got.status);
}

// ---- Generators ---------------------------------------------------------------------------------------------------
type ViewerSpec = { kind: "user"; user: Username } | { kind: "revoked"; user: Username } | { kind: "garbage"; token: string } | { kind: "none" };

const garbageToken = fc.oneof(
  fc.base64String({ minLength: 43, maxLength: 44 }).map((t) => t.replaceAll("+", "-").replaceAll("/", "_").replaceAll("=", "")),
  fc.stringMatching(/^[A-Za-z0-9_-]{1,60}$/),
  fc.constantFrom("", "null", "undefined", "a".repeat(201), "A".repeat(200), "../../etc/passwd", "' OR 1=1 --", "%00", "tok en", "\u00e9"),
  fc.string({ maxLength: 80 }),
);

const viewerArb: fc.Arbitrary<ViewerSpec> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...USERNAMES).map((user) => ({ kind: "user" as const, user })) },
  { weight: 1, arbitrary: fc.constantFrom(...USERNAMES).map((user) => ({ kind: "revoked" as const, user })) },
  { weight: 2, arbitrary: garbageToken.map((token) => ({ kind: "garbage" as const, token })) },
  { weight: 2, arbitrary: fc.constant({ kind: "none" as const }) },
);

/** Mostly what pusher-js sends (so the policy is reached), else anything. */
const headersArb: fc.Arbitrary<HeaderSpec> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom<HeaderSpec>(cleanHeaders, { ...cleanHeaders, origin: null, secFetchSite: null }) },
  { weight: 2, arbitrary: headerArb },
);

function authBodyArb(socket: string, channel: string, channelPool: fc.Arbitrary<string>): fc.Arbitrary<BodySpec> {
  const clean: fc.Arbitrary<BodySpec> = fc.constant({
    label: "clean",
    bytes: new TextEncoder().encode(new URLSearchParams({ socket_id: socket, channel_name: channel }).toString()),
    transport: "string",
    chunk: 1,
  });
  const entries = fieldEntries([
    ["socket_id", fc.constant(socket), anySocketId],
    ["channel_name", fc.constant(channel), channelPool],
  ]);
  return fc.oneof({ weight: 1, arbitrary: clean }, { weight: 1, arbitrary: bodyArb(entries, CAP) });
}

const AUTH_TRANSPORT_BUDGET: Budget = { runs: 400, ms: 7_000 };
const AUTH_POLICY_BUDGET: Budget = { runs: 350, ms: 6_000 };
const SIGNIN_BUDGET: Budget = { runs: 300, ms: 4_000 };

/**
 * One case: a viewer (a fresh session of a seeded user, a revoked one, a garbage token or none), maybe a sign-in of
 * the same socket by another session, maybe the viewer's own sign-in first, then the (fuzzed) auth request.
 */
async function authProperty(name: string, fuzzTransport: boolean, budget: Budget) {
  const stats = newStats();
  const channelPool = anyChannelName(pools);
  // Most cases name a seeded private channel (every user, article and gist), so the policy itself is exercised.
  const channel = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...seededPrivate) }, { weight: 2, arbitrary: channelPool });
  const socket = fc.oneof({ weight: 4, arbitrary: validSocketId }, { weight: 1, arbitrary: invalidSocketId });
  const caseArb = fc
    .record({
      viewer: viewerArb,
      signinFirst: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
      otherDevice: fc.option(fc.constantFrom(...USERNAMES), { freq: 3 }),
      socket,
      channel,
      // Well-formed batches too (the library's client names a tab's channels in one request), around the cap.
      more: fc.oneof(
        { weight: 4, arbitrary: fc.constant<string[]>([]) },
        { weight: 2, arbitrary: fc.array(channel, { minLength: 1, maxLength: 4 }) },
        { weight: 1, arbitrary: fc.array(channel, { minLength: MAX_AUTH_CHANNELS - 2, maxLength: MAX_AUTH_CHANNELS }) },
      ),
      headers: fuzzTransport ? headersArb : fc.constantFrom<HeaderSpec>(cleanHeaders, { ...cleanHeaders, origin: null, secFetchSite: null }),
    })
    .chain((c) => (fuzzTransport ? authBodyArb(c.socket, c.channel, channelPool) : fc.constant(cleanBody([["socket_id", c.socket], ...[c.channel, ...c.more].map((name): [string, string] => ["channel_name", name])]))).map((body) => ({ ...c, body })));

  await runProperty(
    name,
    fc.asyncProperty(caseArb, async (c) => {
      stats.cases++;
      resetRequest();
      const jar = nextRequest.cookies;
      // Another session (another device of someone, maybe the viewer) signs the same socket in first: it must
      // not count for the viewer's session.
      if (c.otherDevice) {
        jar.set(SESSION_COOKIE, otherDevice[c.otherDevice].token);
        await SIGNIN(buildRequest(SIGNIN_URL, cleanBody({ socket_id: c.socket }), cleanHeaders, null));
      }
      jar.delete(SESSION_COOKIE);
      let token: string | null = null;
      let session: { token: string; sessionId: string } | null = null;
      if (c.viewer.kind === "user" || c.viewer.kind === "revoked") {
        session = await createSession(userIds[c.viewer.user], "fuzz", "127.0.0.1");
        token = session.token;
      } else if (c.viewer.kind === "garbage") token = c.viewer.token;
      if (token !== null) jar.set(SESSION_COOKIE, token);
      const viewer: Viewer = {
        userId: session && c.viewer.kind === "user" ? userIds[c.viewer.user] : null,
        sessionId: session && c.viewer.kind === "user" ? session.sessionId : null,
        signedSockets: new Set(),
      };
      const cookie = token === null ? null : `${SESSION_COOKIE}=${encodeURIComponent(token)}`;

      // The sign-in pusher-js makes after connecting, with the same cookie (a clean request).
      if (c.signinFirst) {
        const body = cleanBody({ socket_id: c.socket });
        const req = buildRequest(SIGNIN_URL, body, cleanHeaders, cookie);
        const signinViewer: Viewer = { ...viewer, sessionId: session?.sessionId ?? null };
        const outcomes = referenceSignin(req, body.bytes, signinViewer);
        judge("signin", await call(SIGNIN, req, stats), outcomes, stats);
        const signed = readForm(body.bytes).last.socket_id;
        if (session && SOCKET_ID.test(signed)) viewer.signedSockets = new Set([signed]);
      }
      if (c.viewer.kind === "revoked") await deleteSessionByToken(token!);

      const req = buildRequest(AUTH_URL, c.body, c.headers, cookie);
      const outcomes = referenceAuth(req, c.body.bytes, viewer);
      judge("auth", await call(AUTH, req, stats), outcomes, stats);
    }),
    budget,
    stats,
  );
}

describe("fuzz: POST /api/realtime/auth and /api/realtime/signin, in-process", () => {
  it(
    "auth, fuzzed transport (bodies, headers, lengths): never a 5xx, and a signature exactly when the reference allows it",
    async () => {
      await authProperty("auth route vs reference policy (fuzzed transport)", true, AUTH_TRANSPORT_BUDGET);
    },
    timeoutFor(AUTH_TRANSPORT_BUDGET),
  );

  it(
    "auth, well-formed requests (sessions x signed-in sockets x channels): a signature exactly when the policy allows it",
    async () => {
      await authProperty("auth route vs reference policy (well-formed requests)", false, AUTH_POLICY_BUDGET);
    },
    timeoutFor(AUTH_POLICY_BUDGET),
  );

  it(
    "signin: never a 5xx, 200 exactly for a well-formed same-origin request, as the session or as guest-<socket_id>",
    async () => {
      const stats = newStats();
      const viewer = fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...USERNAMES).map((u) => ({ token: otherDevice[u].token as string | null, sessionId: otherDevice[u].sessionId as string | null })) },
        { weight: 1, arbitrary: garbageToken.map((token) => ({ token: token as string | null, sessionId: null as string | null })) },
        { weight: 1, arbitrary: fc.constant({ token: null as string | null, sessionId: null as string | null }) },
      );
      const caseArb = fc
        .record({ viewer, socket: anySocketId, headers: headersArb })
        .chain((c) =>
          fc
            .oneof(
              { weight: 2, arbitrary: fc.constant(cleanBody({ socket_id: c.socket })) },
              { weight: 3, arbitrary: bodyArb(fieldEntries([["socket_id", fc.constant(c.socket), anySocketId]]), CAP) },
            )
            .map((body) => ({ ...c, body })),
        );
      await runProperty(
        "signin route vs reference",
        fc.asyncProperty(caseArb, async (c) => {
          stats.cases++;
          resetRequest();
          if (c.viewer.token !== null) nextRequest.cookies.set(SESSION_COOKIE, c.viewer.token);
          const req = buildRequest(SIGNIN_URL, c.body, c.headers, c.viewer.token === null ? null : `${SESSION_COOKIE}=${encodeURIComponent(c.viewer.token)}`);
          const outcomes = referenceSignin(req, c.body.bytes, { userId: null, sessionId: c.viewer.sessionId, signedSockets: new Set() });
          judge("signin", await call(SIGNIN, req, stats), outcomes, stats);
        }),
        SIGNIN_BUDGET,
        stats,
      );
    },
    timeoutFor(SIGNIN_BUDGET),
  );
});

function cleanBody(fields: Record<string, string> | Array<[string, string]>): BodySpec {
  return { label: "clean", bytes: new TextEncoder().encode(new URLSearchParams(fields).toString()), transport: "string", chunk: 1 };
}
