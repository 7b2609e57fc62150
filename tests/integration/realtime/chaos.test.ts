import http from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import Pusher from "pusher-js";
import { QueryClient, QueryObserver, type QueryKey } from "@tanstack/react-query";
import { resetEnvCache } from "@/env";
import { createRealtimeClient, type RealtimeClient } from "@/lib/realtime/client";
import { POST as AUTH } from "@/app/api/realtime/auth/route";
import { POST as VERSIONS } from "@/app/api/realtime/versions/route";
import { resourceChannel, userChannel } from "@/backend/realtime/channels";
import { scopes } from "@/backend/realtime/scopes";
import { createSession } from "@/backend/session-store";
import { createMyComment } from "@/backend/services/comment.action";
import { myBookmarks, toggleResourceBookmark } from "@/backend/services/bookmark.action";
import { markAllNotificationsRead, myNotifications } from "@/backend/services/notification.actions";
import { getComments } from "@/backend/services/comment.action";
import { getResourceReactions, toggleResourceReaction } from "@/backend/services/reaction.actions";
import { queryKeys } from "@/lib/query-keys";
import { REACTION_TYPES } from "@/lib/resource-types";
import { flushAfter } from "../../helpers/next-request";
import type { SoketiHandle } from "../../helpers/soketi";
import type { Seeded } from "../../db/fixtures";
import { APP_ORIGIN } from "./auth-helpers";
import { publisherIdle } from "./listeners";
import { routeSignin, withCookie } from "./pusher-clients";
import { startRealtimeEnv, stopRealtimeEnv, type User } from "./realtime-env";

/**
 * Chaos: the broker loses signals, and every tab still ends up equal to the database.
 *
 * A real Soketi, with a loopback proxy in front of its HTTP API that answers 200 to every publish but forwards only
 * 80 % of them (as Soketi itself answers 200 to publishes it refuses), so the publisher never learns of the loss.
 * CLIENTS tabs (pusher-js and a QueryClient each, the library's createRealtimeClient, reading through the app's
 * real server actions as their user) hold their user channel and an article's channel, while WRITES writes
 * (comments, reactions, bookmarks, marking notifications read, and the notifications those cause) go through the
 * app's actions. Once the writes stopped, every tab must equal the database within one version-check interval plus
 * one refetch. The same run without version tracking (the layer before versions) counts the tabs left stale.
 * Then the broker-to-client leg: a few tabs' sockets go silent (no close frame, pusher-js still "connected").
 *
 * `npm run chaos` runs the full variant (CHAOS=long: 50 tabs of each kind, 200 writes); npm test a bounded one.
 */
const LONG = process.env.CHAOS === "long";
// Tabs of each kind (tracked and untracked) and writes. The app and every tab's reads share one process and one
// in-process database here, so tabs cost far more than in a browser: npm test runs a bounded version.
const CLIENTS = Number(process.env.CHAOS_CLIENTS ?? (LONG ? 50 : 12));
const WRITES = Number(process.env.CHAOS_WRITES ?? (LONG ? 200 : 40));
const DROP = 0.2;
const CHECK_MS = 1_000;
// The full variant's writes alone take minutes here (every write makes up to 100 tabs refetch in this process).
const RUN_TIMEOUT_MS = LONG ? 30 * 60_000 : 180_000;
const SILENT_TIMEOUT_MS = LONG ? 10 * 60_000 : 60_000;
/** One refetch of every query a check found stale, with room for a shared, loaded test machine. */
const REFETCH_ALLOWANCE_MS = 4_000;
const USERS: User[] = ["alice", "bob", "carol"];

let soketi: SoketiHandle;
let s: Seeded;
let proxy: FaultProxy;
const saved = { ...process.env };

beforeAll(async () => {
  ({ soketi, s } = await startRealtimeEnv(2000));
  proxy = await faultProxy(soketi.port);
  // The app publishes through the proxy; tabs connect to Soketi itself.
  process.env.PUSHER_PORT = String(proxy.port);
  resetEnvCache();
});
afterAll(async () => {
  await proxy?.close();
  process.env.PUSHER_PORT = saved.PUSHER_PORT;
  await stopRealtimeEnv(soketi);
});

type FaultProxy = { port: number; stats: { forwarded: number; dropped: number }; dropRate: number; close(): Promise<void> };

/** A seeded generator (mulberry32): the same drops and writes on every run. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The loopback HTTP proxy in front of Soketi's HTTP API: publishes are answered 200 and dropped at `dropRate`. */
async function faultProxy(target: number): Promise<FaultProxy> {
  const next = random(12);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const state: FaultProxy = { port: 0, stats: { forwarded: 0, dropped: 0 }, dropRate: 0, close: async () => {} };
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const publish = req.method === "POST" && /\/(events|batch_events)$/.test((req.url ?? "").split("?")[0]);
    if (publish && next() < state.dropRate) {
      state.stats.dropped++;
      res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
      return;
    }
    if (publish) state.stats.forwarded++;
    const upstream = http.request({ host: "127.0.0.1", port: target, method: req.method, path: req.url, headers: req.headers, agent }, (answer) => {
      const body: Buffer[] = [];
      answer.on("data", (c: Buffer) => body.push(c));
      answer.on("end", () => res.writeHead(answer.statusCode ?? 502, answer.headers).end(Buffer.concat(body)));
    });
    upstream.on("error", () => res.writeHead(502).end());
    upstream.end(Buffer.concat(chunks));
  });
  // Longer than the publisher's keep-alive reuse, so a reused connection is never closed under it.
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  state.port = (server.address() as AddressInfo).port;
  state.close = () =>
    new Promise<void>((resolve) => {
      agent.destroy();
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}

/** A TCP relay to Soketi's WebSocket port whose connections can go silent: bytes dropped both ways, nothing closed. */
async function silenceableRelay(target: number) {
  const pairs: Array<{ client: net.Socket; upstream: net.Socket }> = [];
  let silent = false;
  const server = net.createServer((client) => {
    const upstream = net.connect(target, "127.0.0.1");
    pairs.push({ client, upstream });
    client.on("data", (chunk) => void (silent || upstream.write(chunk)));
    upstream.on("data", (chunk) => void (silent || client.write(chunk)));
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    silence: () => void (silent = true),
    close: () =>
      new Promise<void>((resolve) => {
        for (const { client, upstream } of pairs) {
          client.destroy();
          upstream.destroy();
        }
        server.close(() => resolve());
      }),
  };
}

type Tab = { user: User; token: string; client: RealtimeClient; queryClient: QueryClient; stop: () => void };

/** What each tab reads, through the app's real read actions as its user. */
function reads(): Record<string, { key: QueryKey; read: () => Promise<unknown> }> {
  const unwrap = async <T,>(result: Promise<{ ok: true; data: T } | { ok: false; error: { message: string } }>) => {
    const r = await result;
    if (!r.ok) throw new Error(r.error.message);
    return r.data;
  };
  return {
    comments: { key: queryKeys.comments(s.hello, "ARTICLE"), read: () => unwrap(getComments({ resource_id: s.hello, resource_type: "ARTICLE" })) },
    reactions: { key: queryKeys.reaction(s.hello, "ARTICLE"), read: () => unwrap(getResourceReactions({ resource_id: s.hello, resource_type: "ARTICLE" })) },
    // Which articles are bookmarked: what the bookmarks scope keeps live (a listed article's counts are not live on
    // that page, by design, so they are not compared).
    bookmarks: { key: queryKeys.myBookmarks(), read: async () => (await unwrap(myBookmarks({}))).map((a) => a.id) },
    notifications: { key: queryKeys.myNotifications(), read: () => unwrap(myNotifications({})) },
  };
}

const tokens = new Map<number, string>();
const handlers: Record<string, (req: Request) => Promise<Response>> = { "/api/realtime/auth": AUTH, "/api/realtime/versions": VERSIONS };

/** The browser's fetch for every tab: the route by path, the tab (and so its cookie) by the `tab` query parameter. */
function installFetch() {
  vi.stubGlobal("fetch", async (url: string, init: RequestInit) => {
    const parsed = new URL(url, APP_ORIGIN);
    const handler = handlers[parsed.pathname];
    if (!handler) throw new Error(`no route for ${url}`);
    const token = tokens.get(Number(parsed.searchParams.get("tab"))) ?? null;
    return withCookie(token, () => handler(new Request(parsed, { ...init, headers: { ...(init.headers as Record<string, string>), origin: APP_ORIGIN } })));
  });
}

async function openTabs({ count, trackVersions, wsPort, offset = 0 }: { count: number; trackVersions: boolean; wsPort: number; offset?: number }) {
  const tabs: Tab[] = [];
  for (let i = 0; i < count; i++) {
    const n = offset + i;
    const user = USERS[n % USERS.length];
    const { token } = await createSession(s[user], `chaos-${n}`, "127.0.0.1");
    tokens.set(n, token);
    const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Infinity, gcTime: Infinity } } });
    const client = createRealtimeClient({
      queryClient,
      scopes,
      config: {
        key: soketi.app.key,
        wsHost: "127.0.0.1",
        wsPort,
        forceTLS: false,
        cluster: "mt1",
        authEndpoint: `/api/realtime/auth?tab=${n}`,
        signinEndpoint: "/api/realtime/signin",
        versionsEndpoint: `/api/realtime/versions?tab=${n}`,
      },
      createPusher: (key, options) => new Pusher(key, { ...options, userAuthentication: routeSignin(() => token) }),
      versionCheckIntervalMs: CHECK_MS,
      pollIntervalMs: 60_000,
      trackVersions,
    });
    const observers = Object.values(reads()).map(({ key, read }) => {
      const observer = new QueryObserver(queryClient, { queryKey: key, queryFn: () => withCookie(token, read) });
      return observer.subscribe(() => {});
    });
    client.connection.join(userChannel(s[user]));
    client.connection.join(resourceChannel("ARTICLE", s.hello));
    tabs.push({ user, token, client, queryClient, stop: () => observers.forEach((unsubscribe) => unsubscribe()) });
  }
  await expect.poll(() => tabs.every((t) => t.client.connection.getStatus() === "connected"), { timeout: 20_000 }).toBe(true);
  // Every tab has its first data, and every subscription is live at the broker, before the writes start.
  await expect.poll(() => tabs.every((t) => t.queryClient.isFetching() === 0 && Object.values(reads()).every(({ key }) => t.queryClient.getQueryData(key) !== undefined)), { timeout: 20_000 }).toBe(true);
  await expect.poll(async () => subscriberTotal(), { timeout: 20_000 }).toBeGreaterThanOrEqual(count * 2);
  return tabs;
}

/** Subscriptions Soketi counts on the channels the tabs hold (its HTTP API, past the proxy). */
async function subscriberTotal(): Promise<number> {
  const res = await fetchSoketi("/channels?info=subscription_count");
  const channels = (res as { channels: Record<string, { subscription_count?: number }> }).channels;
  return Object.values(channels).reduce((n, c) => n + (c.subscription_count ?? 0), 0);
}

async function fetchSoketi(path: string): Promise<unknown> {
  const { realtime } = await import("@/backend/realtime/server");
  const [pathname, query] = path.split("?");
  const params = Object.fromEntries(new URLSearchParams(query));
  return (await realtime.broker()!.pusher.get({ path: pathname, params })).json();
}

/** Seeded writes across comments, reactions, bookmarks and notifications, each published as an action does. */
async function write(count: number, seed: number) {
  const next = random(seed);
  const writers = Object.fromEntries(
    await Promise.all(USERS.map(async (u) => [u, (await createSession(s[u], "chaos-writer", "127.0.0.1")).token] as const)),
  ) as Record<User, string>;
  const reactionTypes = REACTION_TYPES;
  for (let i = 0; i < count; i++) {
    const user = USERS[Math.floor(next() * USERS.length)];
    const roll = next();
    const result = await withCookie(writers[user], async () => {
      if (roll < 0.4) return createMyComment({ resource_id: s.hello, resource_type: "ARTICLE", body: `chaos ${seed} #${i}` });
      if (roll < 0.7) {
        const reaction_type = reactionTypes[Math.floor(next() * reactionTypes.length)];
        return toggleResourceReaction({ resource_id: s.hello, resource_type: "ARTICLE", reaction_type });
      }
      if (roll < 0.9) return toggleResourceBookmark({ resource_id: s.hello });
      return markAllNotificationsRead({});
    });
    expect(result.ok).toBe(true);
    // The actions' after() work: their publishes, and the notifications they asked for (persisted and signalled).
    if (i % 10 === 9) await flushAfter();
  }
  await flushAfter();
  await publisherIdle();
}

/** Tabs whose cached data differs from what their user reads from the database now. */
async function staleTabs(tabs: Tab[]): Promise<number> {
  const truth = new Map<string, string>();
  for (const user of USERS) {
    const token = tabs.find((t) => t.user === user)!.token;
    for (const [name, { read }] of Object.entries(reads())) truth.set(`${user} ${name}`, JSON.stringify(await withCookie(token, read)));
  }
  return tabs.filter((t) =>
    Object.entries(reads()).some(([name, { key }]) => JSON.stringify(t.queryClient.getQueryData(key)) !== truth.get(`${t.user} ${name}`)),
  ).length;
}

function closeTabs(tabs: Tab[]) {
  for (const tab of tabs) {
    tab.stop();
    tab.client.dispose();
  }
}

/** Waits (at most `ms`) for 0 stale tabs; returns how long convergence took, or the stale count at the end. */
async function converge(tabs: Tab[], ms: number): Promise<{ ms: number; stale: number }> {
  const start = performance.now();
  let stale = await staleTabs(tabs);
  while (stale > 0 && performance.now() - start < ms) {
    await new Promise((r) => setTimeout(r, 100));
    stale = await staleTabs(tabs);
  }
  return { ms: Math.round(performance.now() - start), stale };
}

describe(`chaos: ${Math.round(DROP * 100)} % of publishes silently dropped, ${CLIENTS} tabs, ${WRITES} writes`, () => {
  beforeAll(() => installFetch());
  afterAll(() => vi.unstubAllGlobals());

  it("every tracking tab equals the database within one check interval plus one refetch; untracked tabs are the baseline", { timeout: RUN_TIMEOUT_MS }, async () => {
    const t0 = performance.now();
    // The same writes and the same losses for both: tabs with version tracking, and tabs of the layer before it.
    const tracked = await openTabs({ count: CLIENTS, trackVersions: true, wsPort: soketi.port });
    const untracked = await openTabs({ count: CLIENTS, trackVersions: false, wsPort: soketi.port, offset: CLIENTS });
    console.info(`[chaos] ${2 * CLIENTS} tabs open in ${Math.round(performance.now() - t0)} ms`);
    try {
      proxy.dropRate = DROP;
      const t1 = performance.now();
      await write(WRITES, 1);
      proxy.dropRate = 0;
      const { dropped, forwarded } = proxy.stats;
      console.info(`[chaos] ${WRITES} writes in ${Math.round(performance.now() - t1)} ms; ${dropped} of ${dropped + forwarded} publish calls dropped`);
      expect(dropped).toBeGreaterThan(0);
      const result = await converge(tracked, CHECK_MS + REFETCH_ALLOWANCE_MS);
      // Given at least as long as the tracked tabs were, then counted.
      const baseline = await converge(untracked, Math.max(result.ms, CHECK_MS + REFETCH_ALLOWANCE_MS));
      console.info(`[chaos] versions on: ${result.stale} of ${CLIENTS} tabs stale ${result.ms} ms after the writes stopped`);
      console.info(`[chaos] versions off (baseline): ${baseline.stale} of ${CLIENTS} tabs stale ${baseline.ms} ms after the writes stopped`);
      expect(result.stale).toBe(0);
    } finally {
      closeTabs([...tracked, ...untracked]);
    }
  });

  it("a tab whose socket went silent (no close frame, still 'connected') converges through the version check", { timeout: SILENT_TIMEOUT_MS }, async () => {
    const relay = await silenceableRelay(soketi.port);
    const tabs = await openTabs({ count: 5, trackVersions: true, wsPort: relay.port, offset: 2 * CLIENTS });
    try {
      relay.silence();
      await write(30, 2);
      expect(tabs.every((t) => t.client.connection.getStatus() === "connected")).toBe(true);
      const result = await converge(tabs, CHECK_MS + REFETCH_ALLOWANCE_MS);
      console.info(`[chaos] silent sockets: ${result.stale} of ${tabs.length} tabs stale ${result.ms} ms after the writes stopped`);
      expect(result.stale).toBe(0);
    } finally {
      closeTabs(tabs);
      await relay.close();
    }
  });
});
