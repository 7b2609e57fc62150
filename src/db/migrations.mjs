// Migrating a database safely, shared by the app (src/db/client.ts, at first use) and `npm run db:migrate`
// (scripts/db-migrate.mjs, a deploy step before the instances start). Plain JavaScript so that the deploy step needs
// neither a build nor a TypeScript loader; its types are in migrations.d.mts.
import path from "node:path";
import { readMigrationFiles } from "drizzle-orm/migrator";

export const MIGRATIONS_FOLDER = path.join(process.cwd(), "drizzle");

/**
 * The PostgreSQL advisory lock every process holds while it migrates or seeds. Instances that start together (a
 * deploy, an autoscaler) would otherwise run the same migration at once and one of them die on its first CREATE;
 * with it, the first migrates and the others wait, then find nothing left to apply. A session lock, taken on one
 * connection that does all the work: if the process dies, PostgreSQL releases it with the connection. The number is
 * arbitrary, only shared by everything that migrates this schema ("techdiary" in ASCII).
 */
export const STARTUP_LOCK_KEY = 0x7465636864696172n;

/**
 * Refuses a database that drizzle recorded a migration in which this checkout does not have. In practice that is a
 * database created before the ids became UUIDs: its one migration (the integer-id 0000_init) was replaced by a new
 * 0000_init, not followed by an ALTER, so there is nothing to migrate in place. Left to drizzle, it would either
 * re-run the new 0000_init on top of the old tables (and fail on the first CREATE) or skip it and serve integer
 * ids to code that expects UUIDs; both are worse than saying what happened.
 */
export async function assertKnownMigrations(rows, database, remedy) {
  const [{ present }] = await rows("select to_regclass('drizzle.__drizzle_migrations') is not null as present");
  if (!present) return; // A new database: nothing applied yet.
  const known = new Set(readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER }).map((m) => m.hash));
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

/** Runs `fn` on one connection of `pool` while it holds STARTUP_LOCK_KEY; other processes wait their turn. */
export async function withStartupLock(pool, fn) {
  const client = await pool.connect();
  try {
    await client.query("select pg_advisory_lock($1)", [STARTUP_LOCK_KEY.toString()]);
    try {
      return await fn(client);
    } finally {
      await client.query("select pg_advisory_unlock($1)", [STARTUP_LOCK_KEY.toString()]);
    }
  } finally {
    client.release();
  }
}

/** Checks and migrates the PostgreSQL database of `pool` under the start-up lock; answers how many migrations ran. */
export async function migratePostgres(pool, { database, remedy }) {
  const { drizzle } = await import("drizzle-orm/node-postgres");
  const { migrate } = await import("drizzle-orm/node-postgres/migrator");
  return withStartupLock(pool, async (client) => {
    const rows = async (query) => (await client.query(query)).rows;
    await assertKnownMigrations(rows, database, remedy);
    const count = async () =>
      (await rows("select to_regclass('drizzle.__drizzle_migrations') is not null as present"))[0].present
        ? Number((await rows("select count(*)::int as n from drizzle.__drizzle_migrations"))[0].n)
        : 0;
    const before = await count();
    await migrate(drizzle(client), { migrationsFolder: MIGRATIONS_FOLDER });
    return (await count()) - before;
  });
}
