import "server-only";
import { eq, sql } from "drizzle-orm";
import type { ThrottleWindowStore, WindowVerdict } from "@/lib/realtime/server";
import type { Db } from "@/db/client";
import { realtimeThrottleWindows as windows } from "@/db/schema";

/**
 * Throttle windows in the database (realtime_throttle_windows), so that every app instance on one PostgreSQL shares
 * the home feed's window: one signal per window for the site, the last write still followed by one. Each step is a
 * short transaction holding the window's row (FOR UPDATE), so two instances never both fire; times are the
 * database's clock (clock_timestamp(), read after the lock), so the instances' clocks need not agree.
 */
export function databaseWindowStore(getDb: () => Promise<Db>): ThrottleWindowStore {
  const leftMs = sql<number>`(extract(epoch from ${windows.ends_at} - clock_timestamp()) * 1000)::float8`;
  const endsIn = (windowMs: number) => sql`clock_timestamp() + ${windowMs}::int * interval '1 millisecond'`;
  const wait = (ms: number): WindowVerdict => ({ fire: false, waitMs: Math.max(1, Math.ceil(ms)) });

  type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
  const locked = async (tx: Tx, key: string) =>
    (await tx.select({ leftMs, pending: windows.pending }).from(windows).where(eq(windows.key, key)).for("update"))[0];

  /** request (retry = false) and retry: fire and open a closed window, else mark the open one pending. */
  const mark = (retry: boolean) => async (key: string, windowMs: number) =>
    (await getDb()).transaction(async (tx): Promise<WindowVerdict> => {
      await tx.insert(windows).values({ key, ends_at: new Date(0) }).onConflictDoNothing();
      const row = await locked(tx, key);
      if (row.leftMs > 0) {
        await tx.update(windows).set({ pending: true }).where(eq(windows.key, key));
        return wait(row.leftMs);
      }
      await tx.update(windows).set({ ends_at: endsIn(windowMs), pending: retry }).where(eq(windows.key, key));
      return { fire: !retry, waitMs: windowMs };
    });

  return {
    request: mark(false),
    retry: mark(true),
    windowEnd: async (key, windowMs) =>
      (await getDb()).transaction(async (tx): Promise<WindowVerdict> => {
        const row = await locked(tx, key);
        if (!row) return { fire: false, waitMs: null };
        if (row.leftMs > 0) return wait(row.leftMs);
        if (row.pending) {
          await tx.update(windows).set({ ends_at: endsIn(windowMs), pending: false }).where(eq(windows.key, key));
          return { fire: true, waitMs: windowMs };
        }
        await tx.delete(windows).where(eq(windows.key, key));
        return { fire: false, waitMs: null };
      }),
  };
}
