import { randomBytes } from "node:crypto";
import { closeDb, getDb, type Db } from "@/db/client";
import { seed } from "@/db/seed";
import { resetEnvCache } from "@/env";
import { users } from "@/db/schema";
import { createSession } from "@/backend/session-store";
import { SESSION_COOKIE } from "@/backend/session-store";
import { request } from "./next-request";
import { eq } from "drizzle-orm";

/**
 * A fresh, migrated and seeded database for one test file. PGlite in memory by default; with
 * TEST_DATABASE_URL (a real Postgres server) each call gets its own new database on that server.
 */
export async function freshDb(opts: { seed?: boolean } = {}): Promise<Db> {
  await closeDb();
  const admin = process.env.TEST_DATABASE_URL;
  if (admin) {
    const name = `td_test_${randomBytes(6).toString("hex")}`;
    const { Client } = await import("pg");
    const client = new Client({ connectionString: admin });
    await client.connect();
    await client.query(`CREATE DATABASE ${name}`);
    await client.end();
    const url = new URL(admin);
    url.pathname = `/${name}`;
    process.env.DATABASE_URL = url.toString();
  } else {
    delete process.env.DATABASE_URL;
    process.env.PGLITE_DATA_DIR = "memory://";
  }
  resetEnvCache();
  const db = await getDb();
  if (opts.seed !== false) await seed(db);
  return db;
}

export async function userId(username: string): Promise<string> {
  const db = await getDb();
  const [row] = await db.select({ id: users.id }).from(users).where(eq(users.username, username));
  if (!row) throw new Error(`no user ${username}`);
  return row.id;
}

/** Signs the simulated request in as a seeded user; returns the raw token and session id. */
export async function signInAs(username: string, device = "vitest") {
  const { token, sessionId } = await createSession(await userId(username), device, "127.0.0.1");
  request.cookies.set(SESSION_COOKIE, token);
  return { token, sessionId };
}

export function signOut() {
  request.cookies.delete(SESSION_COOKIE);
}
