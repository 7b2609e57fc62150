import "server-only";
import type { Db } from "./client";

/**
 * A query built once per database instead of once per call: drizzle renders the SQL text when the query is prepared,
 * not at every execute, and on PostgreSQL the statement is named, so each pooled connection parses and plans it
 * once. For the queries of a hot path (the auth route under a reconnection storm), where building the same SELECT
 * again for every request was a measurable share of its CPU (docs/benchmarks.md). Keyed by the database object:
 * tests swap the process-wide database (adoptOpenPglite), and a statement belongs to the database it was built on.
 */
export function preparedPerDb<T>(build: (db: Db) => T): (db: Db) => T {
  const built = new WeakMap<Db, T>();
  return (db) => {
    let query = built.get(db);
    if (query === undefined) {
      query = build(db);
      built.set(db, query);
    }
    return query;
  };
}
