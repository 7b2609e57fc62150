#!/usr/bin/env node
// `npm run db:migrate`: applies drizzle/ to the PostgreSQL database of DATABASE_URL and exits, the step a deploy
// runs once before it starts the app instances (each instance would also migrate at first use, under the same
// advisory lock, and then find nothing to apply). Reads DATABASE_URL from the environment and the .env files
// `next start` reads. Without it there is nothing to do: PGlite is one process's database, migrated when it opens.
import nextEnv from "@next/env";
import pg from "pg";
import { migratePostgres } from "../src/db/migrations.mjs";

// A deploy step: the production .env files, as `next start` reads them (NODE_ENV=development picks the dev ones).
nextEnv.loadEnvConfig(process.cwd(), process.env.NODE_ENV === "development");
const url = process.env.DATABASE_URL;
if (!url) {
  console.error("db:migrate: DATABASE_URL is not set. PGlite (the default) migrates itself when the app opens it.");
  process.exit(1);
}

const where = (() => {
  try {
    const u = new URL(url);
    return `${u.host}${u.pathname}`; // never the credentials
  } catch {
    return "(unparsable DATABASE_URL)";
  }
})();

const pool = new pg.Pool({ connectionString: url, max: 1 });
try {
  const applied = await migratePostgres(pool, {
    database: `The PostgreSQL database at DATABASE_URL (${where})`,
    remedy: "Point DATABASE_URL at a new, empty database, or drop and recreate this one.",
  });
  console.log(applied === 0 ? `db:migrate: ${where} is up to date` : `db:migrate: applied ${applied} migration(s) to ${where}`);
} catch (err) {
  console.error(`db:migrate: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
} finally {
  await pool.end();
}
