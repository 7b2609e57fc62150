import "server-only";
import path from "node:path";
import { mkdirSync } from "node:fs";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { getEnv } from "@/env";
import * as schema from "./schema";

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

type Handle = { db: Db; close: () => Promise<void> };

const MIGRATIONS = path.join(process.cwd(), "drizzle");

// One instance per process: Next dev re-evaluates modules on reload, and a second PGlite on the same
// data directory would corrupt it, so the promise lives on globalThis.
const holder = globalThis as unknown as { __techdiaryDb?: Promise<Handle> };

async function openPglite(dataDir: string): Promise<Handle> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  const { migrate } = await import("drizzle-orm/pglite/migrator");
  if (!dataDir.startsWith("memory://")) mkdirSync(dataDir, { recursive: true });
  const client = new PGlite(dataDir);
  const db = drizzle(client, { schema });
  await migrate(db, { migrationsFolder: MIGRATIONS });
  return { db: db as unknown as Db, close: () => client.close() };
}

async function openPostgres(url: string): Promise<Handle> {
  const { Pool } = await import("pg");
  const { drizzle } = await import("drizzle-orm/node-postgres");
  const { migrate } = await import("drizzle-orm/node-postgres/migrator");
  const pool = new Pool({ connectionString: url, max: 10 });
  const db = drizzle(pool, { schema });
  await migrate(db, { migrationsFolder: MIGRATIONS });
  return { db: db as unknown as Db, close: () => pool.end() };
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

/** Closes and forgets the instance (tests, scripts). */
export async function closeDb(): Promise<void> {
  const current = holder.__techdiaryDb;
  holder.__techdiaryDb = undefined;
  if (current) await (await current).close();
}

export { schema };
