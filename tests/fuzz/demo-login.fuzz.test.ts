import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { closeDb, getDb } from "@/db/client";
import { users } from "@/db/schema";
import { resetEnvCache } from "@/env";
import { POST as DEMO_LOGIN } from "@/app/api/auth/demo-login/route";
import { realtime } from "@/backend/realtime/server";
import { freshDb } from "../helpers/db";
import { resetRequest } from "../helpers/next-request";
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
  type HeaderSpec,
  type Interpretation,
} from "./http-requests";
import { isSafeRedirect, redirectTarget } from "./redirects";
import { newStats, note, printTotals, runProperty, timeoutFor, type Budget, type FuzzStats } from "./support";

/**
 * POST /api/auth/demo-login (the demo sign-in form) under fuzzed bodies and headers, in-process on a seeded PGlite:
 * never a 5xx (or a throw), a 303 with a session cookie and an on-site Location exactly when the reference says the
 * request is a same-site form naming a demo user, and a plain-text 4xx otherwise.
 */

const CAP = 4096;
const URL_ = `${APP_ORIGIN}/api/auth/demo-login`;
const saved = { ...process.env };
let usernames: string[];

beforeAll(async () => {
  for (const k of ["PUSHER_APP_ID", "PUSHER_KEY", "PUSHER_SECRET", "PUSHER_HOST", "PUSHER_PORT", "PUSHER_CLUSTER"]) delete process.env[k];
  Object.assign(process.env, { PUSHER_APP_ID: "fuzz", PUSHER_KEY: "fuzz-key", PUSHER_SECRET: "fuzz-secret", PUSHER_HOST: "127.0.0.1", PUSHER_PORT: "9", APP_URL: APP_ORIGIN, DEMO_LOGIN: "1" });
  resetEnvCache();
  await freshDb();
  usernames = (await (await getDb()).select({ username: users.username }).from(users)).map((u) => u.username);
});

afterAll(async () => {
  printTotals("demo-login");
  resetRequest(); // the sign-in signals queued for after() are never sent
  realtime.dispose();
  await closeDb();
  process.env = saved;
  resetEnvCache();
});

type Outcome = { status: number; next?: string };

function referenceDemoLogin(req: Request, bytes: Uint8Array | null): Outcome[] {
  // Login CSRF: the same-origin rule of the realtime routes.
  if (!referenceSameOrigin(req, APP_ORIGIN)) return [{ status: 403 }];
  const out: Outcome[] = [];
  const form = referenceIsForm(req);
  if (form === "no") return [{ status: 400 }];
  const big = referenceTooLarge(req, bytes?.length ?? 0, CAP);
  if (big === "yes") return [{ status: 413 }];
  const readings = readForm(bytes);
  for (const reading of ["first", "last"] as Interpretation[]) {
    const raw = field(readings[reading], "username");
    const username = raw?.trim();
    if (username === undefined || !/^[A-Za-z0-9_-]{1,64}$/.test(username)) out.push({ status: 400 });
    else if (!usernames.includes(username)) out.push({ status: 400 });
    else out.push({ status: 303, next: field(readings[reading], "next") });
  }
  return out;
}

async function call(req: Request, stats: FuzzStats) {
  let res: Response;
  try {
    res = await DEMO_LOGIN(req);
  } catch (err) {
    stats.fiveXX++;
    throw new Error(`the handler threw (a 500 in Next): ${err instanceof Error ? err.stack : String(err)}`);
  }
  if (res.status >= 500) {
    stats.fiveXX++;
    throw new Error(`5xx: ${res.status} ${await res.text()}`);
  }
  return res;
}

const username = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom("alice", "bob", "carol") },
  {
    weight: 3,
    arbitrary: fc.constantFrom(" alice", "alice ", "\talice\n", "Alice", "ALICE", "alice\u0000", "al ice", "dave", "", " ", "a".repeat(64), "a".repeat(65), "' OR 1=1 --", "alice'--", "\u0430lice", "alice\u200b", "__proto__", "constructor", "%61lice"),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 70 }) },
);
const next = fc.oneof({ weight: 3, arbitrary: redirectTarget }, { weight: 1, arbitrary: fc.constantFrom("/dashboard", "/", "/@alice/hello-realtime?x=1#c") });

const headers: fc.Arbitrary<HeaderSpec> = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom<HeaderSpec>(cleanHeaders, { ...cleanHeaders, origin: null, secFetchSite: null }) },
  { weight: 3, arbitrary: headerArb },
);
const entries = fieldEntries([
  ["username", username, username],
  ["next", next, next],
]);

const BUDGET: Budget = { runs: 500, ms: 6_000 };

describe("fuzz: POST /api/auth/demo-login, in-process", () => {
  it(
    "never a 5xx; a 303 (cookie, on-site Location) exactly for a same-site form naming a demo user; else plain-text 4xx",
    async () => {
      const stats = newStats();
      await runProperty(
        "demo-login vs reference",
        fc.asyncProperty(bodyArb(entries, CAP), headers, async (body, h) => {
          stats.cases++;
          resetRequest();
          const req = buildRequest(URL_, body, h, null);
          const outcomes = referenceDemoLogin(req, body.bytes);
          const res = await call(req, stats);
          note(stats, String(res.status));
          // A 303 carries a session cookie: one the reference does not allow is a wrongful sign-in.
          if (res.status === 303 && !outcomes.some((o) => o.status === 303)) stats.wrongful++;
          expect(outcomes.map((o) => o.status), `answered ${res.status}`).toContain(res.status);
          if (res.status === 303) {
            const location = res.headers.get("location");
            expect(isSafeRedirect(location), `Location ${location}`).toBeNull();
            // With no `next`, home; an on-site path of the form is kept as it is.
            if (outcomes.every((o) => o.status !== 303 || o.next === undefined)) expect(location).toBe("/");
            if (outcomes.every((o) => o.status !== 303 || o.next === "/dashboard")) expect(location).toBe("/dashboard");
            expect(res.headers.get("set-cookie") ?? "").toMatch(/^session_token=[A-Za-z0-9_-]{20,}; .*HttpOnly/i);
          } else {
            expect(res.headers.get("content-type") ?? "").toMatch(/^text\/plain/);
            expect(res.headers.get("set-cookie")).toBeNull();
          }
        }),
        BUDGET,
        stats,
      );
    },
    timeoutFor(BUDGET),
  );
});
