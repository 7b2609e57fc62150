import "server-only";
import path from "node:path";
import { mkdirSync } from "node:fs";
import type { PGlite } from "@electric-sql/pglite";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { readMigrationFiles } from "drizzle-orm/migrator";
import { getEnv } from "@/env";
import * as schema from "./schema";

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

type Handle = { db: Db; close: () => Promise<void> };

const MIGRATIONS = path.join(process.cwd(), "drizzle");

// One instance per process: Next dev re-evaluates modules on reload, and a second PGlite on the same
// data directory would corrupt it, so the promise lives on globalThis.
const holder = globalThis as unknown as { __techdiaryDb?: Promise<Handle> };

type Rows = (query: string) => Promise<Record<string, unknown>[]>;

/**
 * Refuses a database that drizzle recorded a migration in which this checkout does not have. In practice that is a
 * database created before the ids became UUIDs: its one migration (the integer-id 0000_init) was replaced by a new
 * 0000_init, not followed by an ALTER, so there is nothing to migrate in place. Left to drizzle, it would either
 * re-run the new 0000_init on top of the old tables (and fail on the first CREATE) or skip it and serve integer
 * ids to code that expects UUIDs; both are worse than saying what happened.
 */
async function assertKnownMigrations(rows: Rows, database: string, remedy: string): Promise<void> {
  const [{ present }] = await rows("select to_regclass('drizzle.__drizzle_migrations') is not null as present");
  if (!present) return; // A new database: nothing applied yet.
  const known = new Set(readMigrationFiles({ migrationsFolder: MIGRATIONS }).map((m) => m.hash));
  const applied = await rows("select hash, created_at from drizzle.__drizzle_migrations order by created_at, id");
  const unknown = applied.filter((m) => !known.has(String(m.hash)));
  if (unknown.length === 0) return;
  const first = unknown[0];
  const when = new Date(Number(first.created_at));
  const dated = Number.isNaN(when.getTime()) ? "" : ` (from ${when.toISOString().slice(0, 10)})`;
  throw new Error(
    `${database} was created by an older schema (integer ids): it records migration ${String(first.hash).slice(0, 12)}…${dated}, ` +
      `which is not in drizzle/ any more (ids are UUIDs now, and the migration history was started again). ` +
      `It cannot be migrated in place. ${remedy}`,
  );
}

async function openPglite(dataDir: string): Promise<Handle> {
  const { PGlite } = await import("@electric-sql/pglite");
  if (!dataDir.startsWith("memory://")) mkdirSync(dataDir, { recursive: true });
  return adoptPglite(new PGlite(dataDir), dataDir);
}

/** Checks and migrates an open PGlite, which becomes this handle's to close. */
async function adoptPglite(client: PGlite, dataDir: string): Promise<Handle> {
  const { drizzle } = await import("drizzle-orm/pglite");
  const { migrate } = await import("drizzle-orm/pglite/migrator");
  try {
    await assertKnownMigrations(
      async (query) => (await client.query<Record<string, unknown>>(query)).rows,
      `The PGlite database in ${dataDir}`,
      `Delete ${dataDir} (the demo data is seeded again at start), or point DATABASE_URL at a new database.`,
    );
    const db = drizzle(client, { schema });
    await migrate(db, { migrationsFolder: MIGRATIONS });
    return { db: db as unknown as Db, close: () => client.close() };
  } catch (err) {
    await client.close().catch(() => {});
    throw err;
  }
}

/** host:port/name of a postgres:// URL, never its credentials. */
function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.host}${u.pathname}`;
  } catch {
    return "(unparsable URL)";
  }
}

async function openPostgres(url: string): Promise<Handle> {
  const { Pool } = await import("pg");
  const { drizzle } = await import("drizzle-orm/node-postgres");
  const { migrate } = await import("drizzle-orm/node-postgres/migrator");
  const pool = new Pool({ connectionString: url, max: 10 });
  try {
    await assertKnownMigrations(
      async (query) => (await pool.query<Record<string, unknown>>(query)).rows,
      `The PostgreSQL database at DATABASE_URL (${describeUrl(url)})`,
      "Point DATABASE_URL at a new, empty database (the demo data is seeded again at start), or drop and recreate this one.",
    );
    const db = drizzle(pool, { schema });
    await migrate(db, { migrationsFolder: MIGRATIONS });
    return { db: db as unknown as Db, close: () => pool.end() };
  } catch (err) {
    await pool.end().catch(() => {});
    throw err;
  }
}

/** The process-wide database, migrated on first use. DATABASE_URL selects Postgres, else PGlite. */
export function getDb(): Promise<Db> {
  if (!holder.__techdiaryDb) {
    const env = getEnv();
    const opening = env.DATABASE_URL ? openPostgres(env.DATABASE_URL) : openPglite(env.PGLITE_DATA_DIR);
    // A failed open must not be cached forever: the next request retries.
    holder.__techdiaryDb = opening.catch((err) => {
      holder.__techdiaryDb = undefined;
      throw err;
    });
  }
  return holder.__techdiaryDb.then((h) => h.db);
}

/**
 * Makes an already open PGlite the process-wide database (checked and migrated like any other). Tests start each
 * file from a snapshot of a migrated database this way, instead of paying for initdb every time.
 */
export async function adoptOpenPglite(client: PGlite, label = "memory://"): Promise<Db> {
  await closeDb();
  holder.__techdiaryDb = adoptPglite(client, label);
  return getDb();
}

/** Closes and forgets the instance (tests, scripts). */
export async function closeDb(): Promise<void> {
  const current = holder.__techdiaryDb;
  holder.__techdiaryDb = undefined;
  if (current) await (await current).close();
}

export { schema };
