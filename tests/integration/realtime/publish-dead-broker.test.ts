import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { and, count, eq, like } from "drizzle-orm";
import { getDb } from "@/db/client";
import { bookmarks, comments } from "@/db/schema";
import { resetEnvCache } from "@/env";
import { createMyComment } from "@/backend/services/comment.action";
import { toggleResourceBookmark } from "@/backend/services/bookmark.action";
import { publishMetricsSnapshot, resetPublishMetrics } from "@/lib/realtime/publish-metrics.server";
import { freshDb, signInAs } from "../../helpers/db";
import { flushAfter, request, resetRequest } from "../../helpers/next-request";
import { freePort } from "../../helpers/free-port";
import { seeded, type Seeded } from "../../db/fixtures";

const saved = { ...process.env };
let s: Seeded;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

function useBroker(port: number, timeoutMs: number) {
  Object.assign(process.env, {
    PUSHER_APP_ID: "dead-app",
    PUSHER_KEY: "dead-key",
    PUSHER_SECRET: "dead-secret",
    PUSHER_HOST: "127.0.0.1",
    PUSHER_PORT: String(port),
    PUSHER_USE_TLS: "0",
    REALTIME_PUBLISH_TIMEOUT_MS: String(timeoutMs),
  });
  resetEnvCache();
}

beforeAll(async () => {
  delete process.env.INNGEST_DEV;
  delete process.env.INNGEST_EVENT_KEY;
  await freshDb();
  s = await seeded();
  process.on("unhandledRejection", onUnhandled);
});
afterAll(() => {
  process.off("unhandledRejection", onUnhandled);
  process.env = saved;
  resetEnvCache();
});
beforeEach(() => {
  resetRequest();
  resetPublishMetrics();
  unhandled.length = 0;
});
afterEach(() => vi.restoreAllMocks());

const commentsLike = async (prefix: string) =>
  Number((await (await getDb()).select({ n: count() }).from(comments).where(like(comments.body, `${prefix}%`)))[0].n);

describe("a dead broker never costs an action anything", () => {
  it("1,000 comment actions succeed and persist while nothing listens on the broker port", async () => {
    useBroker(await freePort(), 500);
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    await signInAs("bob");
    const prefix = `dead-broker-${Date.now()}`;
    for (let i = 0; i < 1000; i++) {
      request.headers = new Headers({ "x-socket-id": `${i + 1}.1` });
      const res = await createMyComment({ resource_id: s.hello, resource_type: "ARTICLE", body: `${prefix} ${i}` });
      expect(res.ok).toBe(true);
      // Run the after() work of every 100 requests together, as a busy server would.
      if (i % 100 === 99) await flushAfter();
    }
    await flushAfter();
    expect(await commentsLike(prefix)).toBe(1000);
    expect(unhandled).toEqual([]);
    const metrics = publishMetricsSnapshot();
    // Each comment's thread signal and each in-process notification step's publish were attempted and failed;
    // identical ones waiting together (alice's notification signals) were sent, and failed, as one.
    expect(metrics.publishes).toMatchObject({ requested: 2000, sent: 0 });
    expect(metrics.publishes.failed + metrics.publishes.duplicates_dropped).toBe(2000);
    expect(metrics.publishes.failed).toBeGreaterThanOrEqual(1000);
    // Refused at once, or, while in-process PGlite work keeps the event loop busy past a call's deadline, timed out.
    const reason = /ECONNREFUSED|timed out after 500ms/;
    expect(metrics.last_failure?.reason).toMatch(reason);
    const lines = error.mock.calls.map((c) => String(c[0]));
    const publishLines = lines.filter((l) => l.startsWith("[realtime] publish"));
    expect(publishLines.length).toBeGreaterThan(0);
    expect(publishLines.filter((l) => !/failed: /.test(l) || !reason.test(l))).toEqual([]);
    expect(publishLines.some((l) => /ECONNREFUSED/.test(l))).toBe(true);
  });

  it("a broker that accepts connections and never answers delays only the after() work, by the timeout at most", async () => {
    const sockets = new Set<import("node:net").Socket>();
    const blackHole = http.createServer(() => {});
    blackHole.on("connection", (socket) => sockets.add(socket));
    await new Promise<void>((resolve) => blackHole.listen(0, "127.0.0.1", resolve));
    try {
      useBroker((blackHole.address() as AddressInfo).port, 1000);
      vi.spyOn(console, "error").mockImplementation(() => {});
      await signInAs("carol");
      for (let i = 0; i < 50; i++) {
        request.headers = new Headers();
        const started = performance.now();
        const res = await toggleResourceBookmark({ resource_id: s.hello });
        // Had the action awaited its publish, each would take the full timeout.
        expect(performance.now() - started).toBeLessThan(1000);
        expect(res.ok).toBe(true);
      }
      const started = performance.now();
      await flushAfter();
      const flushMs = performance.now() - started;
      expect(flushMs).toBeGreaterThanOrEqual(950);
      expect(flushMs).toBeLessThan(2000);
      const [{ n }] = await (await getDb())
        .select({ n: count() })
        .from(bookmarks)
        .where(and(eq(bookmarks.user_id, s.carol), eq(bookmarks.resource_id, s.hello)));
      // 50 toggles end where they started.
      expect(Number(n)).toBe(0);
      // The 50 identical signals waiting together went out (and timed out) as one call.
      const { publishes } = publishMetricsSnapshot();
      expect(publishes).toMatchObject({ requested: 50, sent: 0 });
      expect(publishes.failed + publishes.duplicates_dropped).toBe(50);
      expect(unhandled).toEqual([]);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => blackHole.close(resolve));
    }
  });
});
