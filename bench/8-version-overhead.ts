/**
 * 6. What a channel version costs an action: the database time of a comment write (its own transaction, PGlite, as
 * the app runs by default) without and with the version bump of its channel in the same transaction (one
 * INSERT ... ON CONFLICT DO UPDATE on the primary key, src/backend/realtime/versions.ts). Alternated per action,
 * so both see the same machine and the same growing table.
 */
import { afterAll, it } from "vitest";
import { closeDb, getDb } from "@/db/client";
import { comments } from "@/db/schema";
import { commentThreadSignal } from "@/backend/realtime/signals";
import { stampVersions } from "@/backend/realtime/versions";
import { freshDb } from "../tests/helpers/db";
import { seeded } from "../tests/db/fixtures";
import { report } from "./lib/report";
import { summarize } from "./lib/stats";

const ACTIONS = 2000;
const WARMUP = 200;

afterAll(() => closeDb());

it("database time the version bump adds to an action", async () => {
  await freshDb();
  const s = await seeded();
  const db = await getDb();
  const root = { resource_type: "ARTICLE" as const, resource_id: s.hello };
  const row = (i: number) => ({ body: `bench ${i}`, resource_id: s.hello, resource_type: "ARTICLE" as const, user_id: s.bob });
  const plainMs: number[] = [];
  const versionedMs: number[] = [];
  for (let i = 1; i <= WARMUP + ACTIONS; i++) {
    let t0 = performance.now();
    await db.transaction(async (tx) => {
      await tx.insert(comments).values(row(i)).returning({ id: comments.id });
    });
    const plain = performance.now() - t0;
    t0 = performance.now();
    await db.transaction(async (tx) => {
      await tx.insert(comments).values(row(i)).returning({ id: comments.id });
      await stampVersions(tx, commentThreadSignal(root));
    });
    const versioned = performance.now() - t0;
    if (i > WARMUP) {
      plainMs.push(plain);
      versionedMs.push(versioned);
    }
  }
  const p = summarize(plainMs);
  const v = summarize(versionedMs);
  const added = Math.round((v.p50 - p.p50) * 1000) / 1000;
  report(
    "8-version-overhead",
    `6. Database time of a comment write without and with its channel's version bump (${ACTIONS} each)`,
    { actions: ACTIONS, warmup: WARMUP, database: "PGlite (in process)" },
    [
      { figure: "write p50", unit: "ms", baseline: p.p50, project: v.p50, better: "lower", target: "added < 1 ms", met: added < 1 },
      { figure: "write p99", unit: "ms", baseline: p.p99, project: v.p99, better: "lower", target: "(info)", met: true },
    ],
    [`baseline: INSERT in a transaction; project: the same plus stampVersions in that transaction; added p50 ${added} ms`],
  );
});
