import "server-only";
import { sql } from "drizzle-orm";
import { getDb, type Db } from "@/db/client";
import { preparedPerDb } from "@/db/prepared";
import { realtimeChannelVersions } from "@/db/schema";
import type { AppPublication } from "./scopes";

/**
 * Channel versions (docs/realtime.md, "Versions and gaps"): each write moves the version of every channel its
 * signal goes to, in the write's own transaction, so a committed write always moves it even if its publish is lost
 * or the process dies right after the commit. The row lock taken by the bump also orders concurrent writes to one
 * channel: versions follow commit order. A tab compares versions with what it heard and resyncs on a gap.
 */

/**
 * Moves every channel of `publications` up by one version per publication that names it (one statement) and returns
 * them stamped: a channel named by two publications gets two versions, so the tab hears two contiguous versions
 * and applies both signals (one shared version would make the second look like a duplicate).
 */
export async function stampVersions(tx: Db, publications: AppPublication | readonly AppPublication[]): Promise<AppPublication[]> {
  const list = Array.isArray(publications) ? (publications as readonly AppPublication[]) : [publications as AppPublication];
  const counts = new Map<string, number>();
  for (const p of list) for (const channel of new Set(p.channels)) counts.set(channel, (counts.get(channel) ?? 0) + 1);
  if (counts.size === 0) return [...list];
  // Sorted: two writes bumping overlapping channel sets lock their rows in the same order, so they never deadlock.
  const values = [...counts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([channel, version]) => ({ channel, version }));
  const rows = await tx
    .insert(realtimeChannelVersions)
    .values(values)
    .onConflictDoUpdate({
      target: realtimeChannelVersions.channel,
      set: { version: sql`${realtimeChannelVersions.version} + excluded.version` },
    })
    .returning();
  // Each publication takes the next of its channel's new versions, in order.
  const next = new Map(rows.map((r) => [r.channel, Number(r.version) - counts.get(r.channel)! + 1]));
  return list.map((p) => {
    const versions: Record<string, number> = {};
    for (const channel of new Set(p.channels)) {
      versions[channel] = next.get(channel)!;
      next.set(channel, versions[channel] + 1);
    }
    return { ...p, versions };
  });
}

/** readChannelVersions on the app's database: the reader of the auth and versions routes. */
export async function readChannelVersionsNow(channels: readonly string[]): Promise<Record<string, number>> {
  return readChannelVersions(await getDb(), channels);
}

// Prepared (src/db/prepared.ts): the auth route reads versions for every request of a reconnection storm. One array
// parameter, so a batch of any size is the same statement.
const versionsOf = preparedPerDb((db) =>
  db
    .select()
    .from(realtimeChannelVersions)
    .where(sql`${realtimeChannelVersions.channel} = any(${sql.placeholder("channels")})`)
    .prepare("channel_versions"),
);

/** The current version of each channel (0: never written), in one query on the primary key. */
export async function readChannelVersions(db: Db, channels: readonly string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = Object.fromEntries(channels.map((c) => [c, 0]));
  if (channels.length === 0) return out;
  const rows = await versionsOf(db).execute({ channels: [...channels] });
  for (const row of rows) out[row.channel] = Number(row.version);
  return out;
}
