import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { PGlite } from "@electric-sql/pglite";
import { closeDb, getDb } from "@/db/client";
import { users } from "@/db/schema";
import { resetEnvCache } from "@/env";

// What the integer-id schema's 0000_init.sql recorded: its sha256 and its journal date (any unknown hash is refused).
const OLD_HASH = "0ea825c6645b8c3da8ab6d14bf9cf4474210ba9671837aa6ab5273bbf335733f";
const OLD_WHEN = 1795798787710;
const MIGRATIONS_TABLE = `
  create schema drizzle;
  create table drizzle.__drizzle_migrations (id serial primary key, hash text not null, created_at bigint);
`;

const saved = { DATABASE_URL: process.env.DATABASE_URL, PGLITE_DATA_DIR: process.env.PGLITE_DATA_DIR };
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "techdiary-guard-"));
});
afterEach(async () => {
  await closeDb();
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  resetEnvCache();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function pointAtPglite(dataDir: string) {
  delete process.env.DATABASE_URL;
  process.env.PGLITE_DATA_DIR = dataDir;
  resetEnvCache();
}

async function openError(): Promise<Error> {
  const err = await getDb().then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof Error)) throw new Error("expected getDb() to refuse the database");
  return err;
}

describe("a database migrated by an older schema", () => {
  it("is refused on PGlite with what happened and what to do, and left untouched", async () => {
    const dataDir = path.join(dir, "old-pglite");
    const old = new PGlite(dataDir);
    await old.exec(`${MIGRATIONS_TABLE}
      create table users (id serial primary key, username text not null);
      insert into users (username) values ('alice');`);
    await old.query("insert into drizzle.__drizzle_migrations (hash, created_at) values ($1, $2)", [OLD_HASH, OLD_WHEN]);
    await old.close();

    pointAtPglite(dataDir);
    const err = await openError();
    expect(err.message).toContain(`The PGlite database in ${dataDir} was created by an older schema (integer ids)`);
    expect(err.message).toContain("0ea825c6645b");
    expect(err.message).toContain(`Delete ${dataDir} (the demo data is seeded again at start)`);
    expect(err.message).toContain("DATABASE_URL");
    // A failed open is not cached: the next call checks again (and refuses again).
    expect((await openError()).message).toMatch(/older schema \(integer ids\)/);

    // Nothing was migrated: no new tables, the old rows and the migration record as they were.
    const after = new PGlite(dataDir);
    expect((await after.query("select to_regclass('public.articles') as t")).rows).toEqual([{ t: null }]);
    expect((await after.query("select username from users")).rows).toEqual([{ username: "alice" }]);
    expect((await after.query("select hash from drizzle.__drizzle_migrations")).rows).toEqual([{ hash: OLD_HASH }]);
    await after.close();
  });

  it.skipIf(!process.env.TEST_DATABASE_URL)("is refused on PostgreSQL, naming DATABASE_URL without its credentials", async () => {
    const { Client } = await import("pg");
    const admin = new Client({ connectionString: process.env.TEST_DATABASE_URL });
    await admin.connect();
    const name = `td_guard_${randomBytes(6).toString("hex")}`;
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(process.env.TEST_DATABASE_URL!);
    url.pathname = `/${name}`;
    const old = new Client({ connectionString: url.toString() });
    await old.connect();
    await old.query(MIGRATIONS_TABLE);
    await old.query("insert into drizzle.__drizzle_migrations (hash, created_at) values ($1, $2)", [OLD_HASH, OLD_WHEN]);

    process.env.DATABASE_URL = url.toString();
    resetEnvCache();
    const err = await openError();
    expect(err.message).toContain(`The PostgreSQL database at DATABASE_URL (${url.host}/${name}) was created by an older schema`);
    expect(err.message).toContain("Point DATABASE_URL at a new, empty database");
    expect(err.message).not.toContain(url.username ? `${url.username}@` : "@");
    expect((await old.query("select to_regclass('public.articles') as t")).rows).toEqual([{ t: null }]);
    await old.end();
  });
});

describe("a database of the current schema", () => {
  it("opens again and again (its own migrations are known), and is refused once it records an unknown one", async () => {
    const dataDir = path.join(dir, "current");
    pointAtPglite(dataDir);
    await (await getDb()).insert(users).values({ username: "dave", name: "Dave", email: "dave@example.test" });
    await closeDb();
    const reopened = await getDb();
    expect((await reopened.select({ username: users.username }).from(users)).map((u) => u.username)).toEqual(["dave"]);
    await closeDb();

    // One record this checkout does not know, among the known ones.
    const db = new PGlite(dataDir);
    await db.query("insert into drizzle.__drizzle_migrations (hash, created_at) values ('bogus', 1)");
    await db.close();
    expect((await openError()).message).toMatch(/older schema \(integer ids\): it records migration bogus… \(from 1970-01-01\)/);
  });
});
