import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { and, count, eq, like } from "drizzle-orm";
import { closeDb, getDb } from "@/db/client";
import { bookmarks, comments } from "@/db/schema";
import { resetEnvCache } from "@/env";
import { createMyComment } from "@/backend/services/comment.action";
import { toggleResourceBookmark } from "@/backend/services/bookmark.action";
import { realtime } from "@/backend/realtime/server";
import { freshDb, signInAs } from "../../helpers/db";
import { flushAfter, request, resetRequest } from "../../helpers/next-request";
import { freePort } from "../../helpers/free-port";
import { seeded, type Seeded } from "../../db/fixtures";
import { publishCounters } from "./realtime-env";

/**
 * A dead or black-holed broker never costs a server action anything: the action succeeds and persists, its
 * publication is sent at commit without being awaited and fails on its own (bounded by REALTIME_PUBLISH_TIMEOUT_MS,
 * logged; after() holds the work past the response), and no promise is left rejected.
 */
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
    // One attempt: these tests bound the after() work by the timeout (retries: publishing-retries.test.ts).
    REALTIME_PUBLISH_RETRIES: "0",
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
afterAll(async () => {
  process.off("unhandledRejection", onUnhandled);
  await closeDb();
  process.env = saved;
  resetEnvCache();
});
beforeEach(() => {
  resetRequest();
  unhandled.length = 0;
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const commentsLike = async (prefix: string) =>
  Number((await (await getDb()).select({ n: count() }).from(comments).where(like(comments.body, `${prefix}%`)))[0].n);

// Enough to fill several rounds of after() work; the property does not change with the count, only the run time does.
const ACTIONS = 300;

describe("a dead broker never costs an action anything", () => {
  it(`${ACTIONS} comment actions succeed and persist while nothing listens on the broker port`, async () => {
    useBroker(await freePort(), 500);
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    const delta = await publishCounters();
    await signInAs("bob");
    const prefix = `dead-broker-${Date.now()}`;
    for (let i = 0; i < ACTIONS; i++) {
      request.headers = new Headers({ "x-socket-id": `${i + 1}.1` });
      const res = await createMyComment({ resource_id: s.hello, resource_type: "ARTICLE", body: `${prefix} ${i}` });
      expect(res.ok).toBe(true);
      // Run the after() work of every 100 requests together, as a busy server would.
      if (i % 100 === 99) await flushAfter();
    }
    await flushAfter();
    expect(await commentsLike(prefix)).toBe(ACTIONS);
    expect(unhandled).toEqual([]);
    const { publishes: metrics, last_failure } = await delta();
    // Each comment's thread signal and each in-process notification step's publish were attempted and failed;
    // identical ones waiting together (alice's notification signals) were sent, and failed, as one.
    expect(metrics).toMatchObject({ requested: 2 * ACTIONS, sent: 0 });
    expect(metrics.failed + metrics.duplicates_dropped).toBe(2 * ACTIONS);
    expect(metrics.failed).toBeGreaterThanOrEqual(ACTIONS);
    // Refused at once, or, while in-process PGlite work keeps the event loop busy past a call's deadline, timed out.
    const reason = /ECONNREFUSED|timed out after 500ms/;
    expect(last_failure?.reason).toMatch(reason);
    const lines = error.mock.calls.map((c) => String(c[0]));
    const publishLines = lines.filter((l) => l.startsWith("[realtime] publish"));
    expect(publishLines.length).toBeGreaterThan(0);
    expect(publishLines.filter((l) => !/failed: /.test(l) || !reason.test(l))).toEqual([]);
    expect(publishLines.some((l) => /ECONNREFUSED/.test(l))).toBe(true);
  });

  it("a broker that accepts connections and never answers costs the actions nothing: they answer while their calls hang", async () => {
    const sockets = new Set<Socket>();
    const posts: string[] = [];
    const blackHole = http.createServer((req) => void (req.method === "POST" && posts.push(req.url ?? "")));
    blackHole.on("connection", (socket) => sockets.add(socket));
    await new Promise<void>((resolve) => blackHole.listen(0, "127.0.0.1", resolve));
    try {
      useBroker((blackHole.address() as AddressInfo).port, 1000);
      vi.spyOn(console, "error").mockImplementation(() => {});
      const delta = await publishCounters();
      const client = realtime.broker()!.rest;
      const sent = [vi.spyOn(client, "trigger"), vi.spyOn(client, "triggerBatch")];
      const calls = () => sent.reduce((n, spy) => n + spy.mock.calls.length, 0);
      await signInAs("carol");
      request.headers = new Headers();
      expect((await toggleResourceBookmark({ resource_id: s.hello })).ok).toBe(true);
      // Sent at commit, never awaited: the action answered, its broker call goes out and hangs, and only the after()
      // work that holds it waits for the broker (its deadline).
      await vi.waitFor(() => expect(posts).toHaveLength(1));
      expect(calls()).toBe(1);
      let held = true;
      const firstHeld = flushAfter().then(() => void (held = false));
      await new Promise((r) => setImmediate(r));
      expect(held).toBe(true);
      for (let i = 1; i < 50; i++) {
        request.headers = new Headers();
        const res = await toggleResourceBookmark({ resource_id: s.hello });
        expect(res.ok).toBe(true);
      }
      await firstHeld;
      await flushAfter();
      expect(posts.length).toBeGreaterThanOrEqual(1);
      expect(posts.length).toBe(calls());

      const [{ n }] = await (await getDb())
        .select({ n: count() })
        .from(bookmarks)
        .where(and(eq(bookmarks.user_id, s.carol), eq(bookmarks.resource_id, s.hello)));
      // 50 toggles end where they started.
      expect(Number(n)).toBe(0);
      // Every signal failed by its deadline (in a call, or waiting for a free one), or joined identical work.
      const { publishes, last_failure } = await delta();
      expect(publishes).toMatchObject({ requested: 50, sent: 0 });
      expect(last_failure?.reason).toMatch(/^timed out after 1000ms/);
      expect(publishes.failed + publishes.duplicates_dropped).toBe(50);
      expect(unhandled).toEqual([]);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => blackHole.close(resolve));
    }
  });
});
