import { spawn } from "node:child_process";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { count } from "drizzle-orm";
import { openPostgres } from "@/db/client";
import { seed } from "@/db/seed";
import { articles, comments, gists, reactions, tags, users } from "@/db/schema";
import { readMigrationFiles } from "drizzle-orm/migrator";
import { startPostgres, type PostgresHandle } from "../../helpers/postgres";

/**
 * Several app instances starting at the same moment on one empty PostgreSQL (a deploy, an autoscaler): the migrations
 * and the demo seed run once, under the start-up advisory lock (src/db/migrations.mjs), and every instance comes up.
 * Real PostgreSQL (PGlite is one process's database), started for this file on loopback.
 */
const ROOT = path.resolve(import.meta.dirname, "../../..");
const INSTANCES = 4;
const MIGRATIONS = readMigrationFiles({ migrationsFolder: path.join(ROOT, "drizzle") }).length;

let server: PostgresHandle;
beforeAll(async () => {
  server = await startPostgres();
});
afterAll(() => server?.stop());

/** `npm run db:migrate` as a deploy step runs it: its own process. */
function dbMigrate(url: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, "scripts/db-migrate.mjs")], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", DATABASE_URL: url, NODE_ENV: "production" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("exit", (code) => resolve({ code, output }));
  });
}

async function appliedMigrations(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ n: number }>("select count(*)::int as n from drizzle.__drizzle_migrations")).rows[0].n;
  } finally {
    await client.end();
  }
}

describe("instances starting together on one PostgreSQL", () => {
  it(`${INSTANCES} db:migrate processes at once: all succeed, each migration is applied once, the later ones find nothing to do`, async () => {
    const url = await server.createDatabase("migrate_race");
    const runs = await Promise.all(Array.from({ length: INSTANCES }, () => dbMigrate(url)));
    for (const run of runs) expect(run.code, run.output).toBe(0);
    const outputs = runs.map((r) => r.output.trim()).sort();
    expect(outputs.filter((o) => o.includes(`applied ${MIGRATIONS} migration(s)`))).toHaveLength(1);
    expect(outputs.filter((o) => o.endsWith("is up to date"))).toHaveLength(INSTANCES - 1);
    expect(await appliedMigrations(url)).toBe(MIGRATIONS);
    // A deploy step run again is a no-op.
    expect((await dbMigrate(url)).output).toMatch(/is up to date/);
  });

  it(`${INSTANCES} app start-ups at once (migrate at first use, then the demo seed): the data is seeded exactly once`, async () => {
    const url = await server.createDatabase("startup_race");
    // Each "instance" is its own pool, so its own PostgreSQL sessions: the race is the database's, as between processes.
    const handles = await Promise.all(
      Array.from({ length: INSTANCES }, async () => {
        const handle = await openPostgres(url);
        await handle.exclusively(seed);
        return handle;
      }),
    );
    try {
      const tables = [users, tags, articles, comments, reactions, gists];
      const counts = async (db: (typeof handles)[number]["db"]) =>
        Promise.all(tables.map(async (t) => (await db.select({ n: count() }).from(t))[0].n));
      const seen = await counts(handles[0].db);
      expect(seen.every((n) => n > 0)).toBe(true);
      // The same counts as one seed into a fresh database.
      const single = await openPostgres(await server.createDatabase("single_seed"));
      await single.exclusively(seed);
      expect(seen).toEqual(await counts(single.db));
      await single.close();
      expect(await appliedMigrations(url)).toBe(MIGRATIONS);
    } finally {
      await Promise.all(handles.map((h) => h.close()));
    }
  });
});
