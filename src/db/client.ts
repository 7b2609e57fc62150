import "server-only";
import { mkdirSync } from "node:fs";
import type { PGlite } from "@electric-sql/pglite";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { getEnv } from "@/env";
import * as schema from "./schema";
import { assertKnownMigrations, MIGRATIONS_FOLDER, migratePostgres, withStartupLock } from "./migrations.mjs";

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

/**
 * An open database. `exclusively` runs start-up work (the demo seed) while holding the same lock as migrations, so
 * instances that start together do it one after the other (src/db/migrations.mjs).
 */
export type DbHandle = { db: Db; close: () => Promise<void>; exclusively<T>(fn: (db: Db) => Promise<T>): Promise<T> };
type Handle = DbHandle;

// One instance per process: Next dev re-evaluates modules on reload, and a second PGlite on the same
// data directory would corrupt it, so the promise lives on globalThis.
const holder = globalThis as unknown as { __techdiaryDb?: Promise<Handle> };

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
    await migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
    // One process owns a PGlite database: nobody to take turns with.
    return { db: db as unknown as Db, close: () => client.close(), exclusively: (fn) => fn(db as unknown as Db) };
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

/**
 * Opens, checks and migrates a PostgreSQL database, under the start-up lock. Each call is its own pool (its own
 * sessions), so a test can start several "instances" in one process.
 */
export async function openPostgres(url: string): Promise<DbHandle> {
  const { Pool } = await import("pg");
  const { drizzle } = await import("drizzle-orm/node-postgres");
  const pool = new Pool({ connectionString: url, max: 10 });
  try {
    await migratePostgres(pool, {
      database: `The PostgreSQL database at DATABASE_URL (${describeUrl(url)})`,
      remedy: "Point DATABASE_URL at a new, empty database (the demo data is seeded again at start), or drop and recreate this one.",
    });
    const db = drizzle(pool, { schema }) as unknown as Db;
    return {
      db,
      close: () => pool.end(),
      exclusively: (fn) => withStartupLock(pool, (client) => fn(drizzle(client, { schema }) as unknown as Db)),
    };
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
 * Runs start-up work on the process-wide database while no other instance migrates or does the same (the demo seed:
 * idempotent, but two seeds at once would both insert the rows neither has seen yet).
 */
export async function exclusively<T>(fn: (db: Db) => Promise<T>): Promise<T> {
  await getDb();
  return (await holder.__techdiaryDb!).exclusively(fn);
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
