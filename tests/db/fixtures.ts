import { afterAll, beforeAll, beforeEach } from "vitest";
import { and, count, eq } from "drizzle-orm";
import { closeDb, getDb, type Db } from "@/db/client";
import { articles, comments, gists } from "@/db/schema";
import type { PgTable } from "drizzle-orm/pg-core";
import { freshDb, userId } from "../helpers/db";
import { resetRequest } from "../helpers/next-request";

/** A well-formed UUID that no row has (ids are gen_random_uuid() v4s; this one is all zeros but its version bits). */
export const MISSING_ID = "00000000-0000-4000-8000-000000000000";
/** Ids an action must refuse as INVALID_INPUT before any query: old integer ids, and strings that are no UUID. */
export const MALFORMED_IDS = ["12", "0", "not-a-uuid", "", "0000000-0000-4000-8000-000000000000", "00000000-0000-4000-8000-00000000000g"];

/** Ids of the seeded rows, looked up by their seeded names (random UUIDs, new on every run). */
export async function seeded() {
  const db = await getDb();
  const [alice, bob, carol] = await Promise.all(["alice", "bob", "carol"].map((u) => userId(u)));
  const article = async (handle: string) =>
    (await db.select({ id: articles.id }).from(articles).where(and(eq(articles.author_id, alice), eq(articles.handle, handle))))[0].id;
  const gist = async (title: string) => (await db.select({ id: gists.id }).from(gists).where(eq(gists.title, title)))[0].id;
  const comment = async (body: string) => (await db.select({ id: comments.id }).from(comments).where(eq(comments.body, body)))[0].id;
  return {
    alice,
    bob,
    carol,
    hello: await article("hello-realtime"),
    draft: await article("alice-draft"),
    publicGist: await gist("debounce.ts"),
    privateGist: await gist("notes.md"),
    bobTop: await comment("Great intro. Does this work with several tabs open?"),
    aliceReply: await comment("Yes: every tab holds its own subscription."),
    carolNested: await comment("Tried it with three tabs, all updated."),
    carolTop: await comment("Bookmarked for later."),
    aliceOnGist: await comment("Handy, thanks!"),
  };
}
export type Seeded = Awaited<ReturnType<typeof seeded>>;

/**
 * The lifecycle of a database test file: a fresh seeded database before the file (handed to `ready`, e.g.
 * `setupSeededDb((r) => ({ db, s } = r))`), a clean simulated request before each test (unless `resetRequests`
 * is false), the database closed after the file.
 */
export function setupSeededDb(ready: (r: { db: Db; s: Seeded }) => void, opts: { resetRequests?: boolean } = {}) {
  beforeAll(async () => {
    const db = await freshDb();
    ready({ db, s: await seeded() });
  });
  if (opts.resetRequests !== false) beforeEach(() => resetRequest());
  afterAll(() => closeDb());
}

/** Row counts of the given tables: "nothing written" is asserted by comparing two snapshots. */
export async function rowCounts(...tables: PgTable[]): Promise<number[]> {
  const db = await getDb();
  return Promise.all(tables.map(async (t) => Number((await db.select({ n: count() }).from(t))[0].n)));
}

type Result = { ok: true; data: unknown } | { ok: false; error: { code: string; message: string } };

/** Asserts a refused action and returns its message for further checks. */
export function failure(result: Result, code: string): string {
  if (result.ok) throw new Error(`expected ${code}, got ok: ${JSON.stringify(result.data)}`);
  if (result.error.code !== code) throw new Error(`expected ${code}, got ${result.error.code}: ${result.error.message}`);
  return result.error.message;
}

/** Unwraps a successful action result, failing the test with the error otherwise. */
export function ok<T>(result: { ok: true; data: T } | { ok: false; error: { code: string; message: string } }): T {
  if (!result.ok) throw new Error(`expected ok, got ${result.error.code}: ${result.error.message}`);
  return result.data;
}
