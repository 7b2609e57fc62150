import { createHash } from "node:crypto";

/**
 * A stable, canonical (lowercase) UUID per kind and index, so every id, channel name and signal of a bench is
 * the same on every run and distinct across indexes: `benchId("comment", 7)`. Compute them before a timed
 * section (a hash costs a few microseconds); `benchIds` makes a whole list up front.
 */
export function benchId(kind: string, n: number): string {
  const h = createHash("sha256").update(`bench:${kind}:${n}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** `benchId(kind, from)` .. `benchId(kind, from + count - 1)`. */
export function benchIds(kind: string, count: number, from = 0): string[] {
  return Array.from({ length: count }, (_, i) => benchId(kind, from + i));
}
