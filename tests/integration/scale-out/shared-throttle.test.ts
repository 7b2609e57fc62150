import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPostgres, type DbHandle } from "@/db/client";
import { realtimeThrottleWindows } from "@/db/schema";
import { createThrottle } from "@/lib/realtime/server/throttle";
import { databaseWindowStore } from "@/backend/realtime/throttle-store";
import { startPostgres, type PostgresHandle } from "../../helpers/postgres";

/**
 * The home feed's throttle window in PostgreSQL, shared by two app instances: each "instance" is its own pool (its
 * own sessions) and its own store, as two processes would have. Real time on a short window; the rule is the
 * unit-tested one (throttle-shared-window.test.ts), here it must hold against a real database's locking and clock.
 */
const W = 400;
const KEY = 'feed.articles {"scope":"article-feed"}';

let server: PostgresHandle;
let a: DbHandle;
let b: DbHandle;
beforeAll(async () => {
  server = await startPostgres();
  const url = await server.createDatabase("shared_throttle");
  a = await openPostgres(url);
  b = await openPostgres(url);
});
afterAll(async () => {
  await a?.close();
  await b?.close();
  await server?.stop();
});

function twoInstances(key: string) {
  const fires: { at: number; by: string }[] = [];
  const make = (by: string, handle: DbHandle) =>
    createThrottle({ windowMs: W, key, store: databaseWindowStore(async () => handle.db), fire: () => void fires.push({ at: Date.now(), by }) });
  return { fires, throttles: [make("A", a), make("B", b)] };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("the home feed's window shared through PostgreSQL by two instances", () => {
  it("both instances requesting at the same moment, ten times each: one leading signal, then one trailing signal", async () => {
    const { fires, throttles } = twoInstances(`${KEY} burst`);
    for (let i = 0; i < 10; i++) throttles.forEach((t) => t.request());
    await expect.poll(() => fires.length, { timeout: 5_000, interval: 10 }).toBe(1);
    await expect.poll(() => fires.length, { timeout: 5_000, interval: 10 }).toBe(2);
    expect(fires[1].at - fires[0].at).toBeGreaterThanOrEqual(W - 20);
    await sleep(2 * W);
    expect(fires).toHaveLength(2);
  });

  it("a write on each instance in turn every 50 ms for 1.6 s: one signal per window for both together, and one after the last write", async () => {
    const { fires, throttles } = twoInstances(`${KEY} stream`);
    const start = Date.now();
    let last = 0;
    for (let i = 0; Date.now() - start < 1_600; i++) {
      last = Date.now();
      throttles[i % 2].request();
      await sleep(50);
    }
    await expect.poll(() => fires.filter((f) => f.at >= last).length, { timeout: 5_000, interval: 10 }).toBe(1);
    await sleep(2 * W);
    const times = fires.map((f) => f.at);
    // One window apart, less the few milliseconds between the database's clock and this process's timers.
    for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1], times.map((t) => t - start).join(", ")).toBeGreaterThanOrEqual(W - 20);
    expect(times.length).toBeLessThanOrEqual(Math.ceil((times.at(-1)! - start) / W) + 1);
    for (const t of throttles) expect(t.state()).toBe("idle");
    // Closed windows are forgotten.
    expect(await a.db.select().from(realtimeThrottleWindows)).toEqual([]);
  });
});
