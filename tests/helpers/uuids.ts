import { createHash } from "node:crypto";

/**
 * A stable, readable stand-in UUID for tests that need ids but no database: `uuid("alice")` is the same valid,
 * lowercase UUID on every run, and different names give different ids.
 */
export function uuid(name: string): string {
  const h = createHash("sha256").update(name).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
