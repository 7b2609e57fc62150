// Types of src/db/migrations.mjs (the project compiles no JavaScript: allowJs is off).
import type { Pool, PoolClient } from "pg";

type Rows = (query: string) => Promise<Record<string, unknown>[]>;

export const MIGRATIONS_FOLDER: string;
export const STARTUP_LOCK_KEY: bigint;
export function assertKnownMigrations(rows: Rows, database: string, remedy: string): Promise<void>;
export function withStartupLock<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T>;
export function migratePostgres(pool: Pool, opts: { database: string; remedy: string }): Promise<number>;
