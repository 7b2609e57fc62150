import { describe, expect, it, vi } from "vitest";
import type { Db } from "@/db/client";
import { preparedPerDb } from "@/db/prepared";

/** The hot path's queries are built once per database (src/db/prepared.ts), not once per request. */
describe("preparedPerDb", () => {
  it("builds a query once per database, and again for another database (tests swap the process-wide one)", () => {
    const build = vi.fn((db: Db) => ({ on: db }));
    const query = preparedPerDb(build);
    const first = {} as Db;
    const second = {} as Db;
    const a = query(first);
    expect(query(first)).toBe(a);
    expect(build).toHaveBeenCalledTimes(1);
    const b = query(second);
    expect(b).not.toBe(a);
    expect(b.on).toBe(second);
    expect(build).toHaveBeenCalledTimes(2);
  });
});
