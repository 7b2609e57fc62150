/**
 * 9. Channel authorization at storm rate: what one app instance's /api/realtime/auth answers when every tab of a
 * broker node subscribes at once (a node died and its clients reconnect elsewhere, or a popular page opens).
 *
 * A production build (`next build` into .next-test; E2E_SKIP_BUILD=1 reuses it, E2E_DIST_DIR names another build),
 * `next start` on a throwaway PostgreSQL on loopback, a real Soketi. CLIENTS pusher-js clients in this process, each
 * a signed-in tab (its own session, a cookie sent with every request) holding CHANNELS private channels: its user
 * channel and CHANNELS - 1 published articles' channels. Each client connects and signs in first (not timed). Then,
 * per round, all of them subscribe to all their channels at the same moment, and each channel's time from that
 * moment to the broker's subscription_succeeded is taken.
 *
 * Baseline: today's client against the route, one request per channel (pusher-js's own exchange, after the
 * sign-in). Project: the library's client (batchingChannelAuthorizer), one request per tab. The same server, build
 * and sockets; rounds alternate. Figures: channel authorizations per second (channels / the storm's duration),
 * p50/p99 per channel, and the CPU next start spent per channel authorization (its CPU seconds over the storms, from
 * /proc), with what that CPU would answer on one core of its own: on two cores shared with Soketi, PostgreSQL and
 * these 300 clients the rate says as much about the neighbours as about the route.
 *
 * Then what bounds the route, with CALLS single requests CALL_CONCURRENCY at a time: a public channel (refused
 * before any database work: Next's per-request cost plus the form and the same-origin checks) against a signed-in
 * resource channel (the whole path: the session with the socket's sign-in in one query, then the policy and the
 * version side by side).
 *
 * BENCH_APP_CPU=0 pins next start to core 0 after it starts; run the bench itself under `taskset -c 1` so Soketi,
 * PostgreSQL and the clients share the other core: the figure per instance on one core. BENCH_CPU_PROF_DIR writes a
 * V8 CPU profile of next start there when it stops (docs/benchmarks.md: what one request costs). */
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { afterAll, it } from "vitest";
import Pusher, { type ChannelAuthorizationHandler } from "pusher-js";
import type { Client as PgClient } from "pg";
import { batchingChannelAuthorizer } from "@/lib/realtime/client";
import { articleFeedChannel, resourceChannel, userChannel } from "@/backend/realtime/channels";
import { SESSION_COOKIE } from "@/backend/session-store";
import { buildApp, startAppServer, TEST_DIST_DIR, type AppServer } from "../tests/helpers/app-server";
import { startPostgres, type PostgresHandle } from "../tests/helpers/postgres";
import { startSoketi, type SoketiHandle } from "../tests/helpers/soketi";
import { cpuMeter, cpuSecondsOfTree, cpuShares, machineSeconds, ownCpuSeconds } from "./lib/cpu";
import { sleep } from "./lib/harness";
import { report } from "./lib/report";
import { round, summarize } from "./lib/stats";

const CLIENTS = 300;
const CHANNELS = 4;
const ROUNDS = 2; // per mode, alternating
const CONNECT_CONCURRENCY = 25;
const STORM_TIMEOUT_MS = 60_000;
const CALLS = 1500;
const CALL_CONCURRENCY = 50;
const TARGET = 1000;

let pg: PostgresHandle | undefined;
let db: PgClient | undefined;
let soketi: SoketiHandle | undefined;
let server: AppServer | undefined;
const clients: Pusher[] = [];
/** CPU seconds of each process during a window (the bench's own: its 300 pusher-js clients and the load). */
let meter = cpuMeter({});
afterAll(async () => {
  for (const c of clients) c.disconnect();
  await db?.end();
  await server?.stop();
  await soketi?.stop();
  await pg?.stop();
});

type Tab = { pusher: Pusher; cookie: string; channels: string[]; mode: { batched: boolean } };

/** The request a browser makes: same origin, its session cookie. */
function browserFetch(url: string, cookie: string): typeof fetch {
  return (input, init) =>
    fetch(new URL(String(input), url), { ...init, headers: { ...(init?.headers as Record<string, string>), cookie, origin: url } });
}

/** Today's client: after the sign-in, one request per channel. */
function perChannelAuthorizer(send: typeof fetch, signinDone: () => Promise<unknown> | null | undefined): ChannelAuthorizationHandler {
  return ({ socketId, channelName }, callback) => {
    void (async () => {
      await signinDone();
      const res = await send("/api/realtime/auth", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ socket_id: socketId, channel_name: channelName }),
      });
      if (!res.ok) throw new Error(`auth answered ${res.status}: ${await res.text()}`);
      return (await res.json()) as { auth: string };
    })().then(
      (data) => callback(null, data),
      (err: unknown) => callback(err instanceof Error ? err : new Error(String(err)), null),
    );
  };
}

async function connectTab(app: AppServer, broker: SoketiHandle, cookie: string, channels: string[]): Promise<Tab> {
  const send = browserFetch(app.url, cookie);
  const mode = { batched: false };
  // Called only once pusher-js asks for a channel, after the constructor below.
  const signinDone = () => pusher.user.signinDonePromise;
  const perChannel = perChannelAuthorizer(send, signinDone);
  const batched = batchingChannelAuthorizer({ endpoint: "/api/realtime/auth", signinDone, fetch: send });
  const pusher = new Pusher(broker.app.key, {
    cluster: "mt1",
    wsHost: "127.0.0.1",
    wsPort: broker.port,
    forceTLS: false,
    enabledTransports: ["ws"],
    disableStats: true,
    channelAuthorization: { endpoint: "/api/realtime/auth", transport: "ajax", customHandler: (params, cb) => (mode.batched ? batched : perChannel)(params, cb) },
    userAuthentication: {
      endpoint: "/api/realtime/signin",
      transport: "ajax",
      customHandler: ({ socketId }, callback) => {
        send("/api/realtime/signin", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ socket_id: socketId }) })
          .then(async (res) => (res.ok ? callback(null, (await res.json()) as { auth: string; user_data: string }) : callback(new Error(`signin ${res.status}`), null)))
          .catch((err: Error) => callback(err, null));
      },
    },
  });
  pusher.signin();
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("pusher-js did not connect within 20s")), 20_000);
    pusher.connection.bind("connected", () => {
      clearTimeout(timer);
      resolve();
    });
  });
  await pusher.user.signinDonePromise;
  return { pusher, cookie, channels, mode };
}

/** Every tab subscribes to all its channels at once; each channel's time to subscription_succeeded. */
async function storm(tabs: Tab[], batched: boolean) {
  for (const tab of tabs) tab.mode.batched = batched;
  const samples: number[] = [];
  let failed = 0;
  const cpu0 = meter.read();
  const t0 = performance.now();
  await Promise.all(
    tabs.flatMap((tab) =>
      tab.channels.map(
        (name) =>
          new Promise<void>((resolve) => {
            const channel = tab.pusher.subscribe(name);
            const timer = setTimeout(() => {
              failed++;
              resolve();
            }, STORM_TIMEOUT_MS);
            channel.bind("pusher:subscription_succeeded", () => {
              clearTimeout(timer);
              samples.push(performance.now() - t0);
              resolve();
            });
            channel.bind("pusher:subscription_error", () => {
              clearTimeout(timer);
              failed++;
              resolve();
            });
          }),
      ),
    ),
  );
  const durationS = (Math.max(...samples) || STORM_TIMEOUT_MS) / 1000;
  const cpu = meter.since(cpu0);
  for (const tab of tabs) for (const name of tab.channels) tab.pusher.unsubscribe(name);
  return { samples, failed, perSecond: samples.length / durationS, durationS, cpu };
}

/** CALLS requests of one body, CALL_CONCURRENCY in flight: requests per second and their status codes. */
async function hammer(send: typeof fetch, body: string) {
  const statuses: Record<number, number> = {};
  let next = 0;
  const cpu0 = meter.read();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CALL_CONCURRENCY }, async () => {
      while (next++ < CALLS) {
        const res = await send("/api/realtime/auth", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body });
        await res.arrayBuffer();
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      }
    }),
  );
  const durationS = (performance.now() - t0) / 1000;
  return { perSecond: round(CALLS / durationS, 0), statuses, durationS, cpu: meter.since(cpu0) };
}

it("channel authorization at storm rate: one request per channel against one per tab", async () => {
  const build = await buildApp();
  pg = await startPostgres();
  const databaseUrl = await pg.createDatabase("bench_auth_storm");
  soketi = await startSoketi();
  // BENCH_CPU_PROF_DIR: a V8 CPU profile of next start, written when it stops (docs/benchmarks.md, what one request costs).
  const profileDir = process.env.BENCH_CPU_PROF_DIR;
  server = await startAppServer({
    env: { ...soketi.env, DATABASE_URL: databaseUrl },
    nodeArgs: profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [],
  });
  // BENCH_APP_CPU=0: next start alone on core 0 (run the bench itself under `taskset -c 1`, so Soketi, PostgreSQL
  // and the clients share the other core): the figure per instance on one core.
  const appCpu = process.env.BENCH_APP_CPU;
  if (appCpu !== undefined) execFileSync("taskset", ["-a", "-cp", appCpu, String(server.pid)], { stdio: "ignore" });
  const [appPid, soketiPid, pgPid] = [server.pid, soketi.pid, pg.pid];
  meter = cpuMeter({
    "next start": () => cpuSecondsOfTree(appPid),
    soketi: () => cpuSecondsOfTree(soketiPid),
    postgres: () => cpuSecondsOfTree(pgPid),
    "bench (300 clients)": ownCpuSeconds,
    "machine idle": () => machineSeconds("idle"),
    "machine stolen": () => machineSeconds("steal"),
  });

  // The seeded users, and published articles for the tabs' resource channels (straight into the database).
  const { Client } = await import("pg");
  db = new Client({ connectionString: databaseUrl });
  await db.connect();
  const users = (await db.query<{ id: string }>("SELECT id FROM users ORDER BY username")).rows.map((r) => r.id);
  const articleIds: string[] = [];
  for (let i = 0; i < 30; i++) {
    const { rows } = await db.query<{ id: string }>(
      "INSERT INTO articles (title, handle, published_at, author_id) VALUES ($1, $2, now(), $3) RETURNING id",
      [`Storm ${i}`, `storm-${i}`, users[i % users.length]],
    );
    articleIds.push(rows[0].id);
  }
  // One session per tab, as a signed-in reader's browser holds (the cookie is the token, the row its hash).
  const tokens: Array<{ user: string; token: string }> = [];
  for (let i = 0; i < CLIENTS; i++) {
    const user = users[i % users.length];
    const token = randomBytes(32).toString("base64url");
    await db.query("INSERT INTO user_sessions (user_id, token, device) VALUES ($1, $2, 'bench')", [user, createHash("sha256").update(token).digest("hex")]);
    tokens.push({ user, token });
  }

  const connectStarted = performance.now();
  const tabs: Tab[] = [];
  for (let i = 0; i < CLIENTS; i += CONNECT_CONCURRENCY) {
    const batch = await Promise.all(
      tokens.slice(i, i + CONNECT_CONCURRENCY).map(({ user, token }, j) => {
        const articles = Array.from({ length: CHANNELS - 1 }, (_, k) => resourceChannel("ARTICLE", articleIds[(i + j + k * 7) % articleIds.length]));
        return connectTab(server!, soketi!, `${SESSION_COOKIE}=${token}`, [userChannel(user), ...articles]);
      }),
    );
    tabs.push(...batch);
    clients.push(...batch.map((t) => t.pusher));
  }
  const connectMs = performance.now() - connectStarted;
  await sleep(1_000);

  // A warm-up storm of each kind (the first requests compile nothing in production, but warm the pools), then rounds.
  await storm(tabs, false);
  await storm(tabs, true);
  await sleep(500);
  const rounds = { baseline: [] as Awaited<ReturnType<typeof storm>>[], project: [] as Awaited<ReturnType<typeof storm>>[] };
  for (let r = 0; r < ROUNDS; r++) {
    rounds.baseline.push(await storm(tabs, false));
    await sleep(500);
    rounds.project.push(await storm(tabs, true));
    await sleep(500);
  }
  const perSecond = (list: typeof rounds.baseline) => round(list.reduce((a, r) => a + r.perSecond, 0) / list.length, 0);
  const all = (list: typeof rounds.baseline) => summarize(list.flatMap((r) => r.samples));
  const failed = (list: typeof rounds.baseline) => list.reduce((a, r) => a + r.failed, 0);
  const base = all(rounds.baseline);
  const proj = all(rounds.project);

  // What bounds one request: refused before the database, against the whole signed-in path.
  const reader = browserFetch(server.url, tabs[0].cookie);
  const socketId = tabs[0].pusher.connection.socket_id;
  const floor = await hammer(reader, new URLSearchParams({ socket_id: socketId, channel_name: articleFeedChannel() }).toString());
  const full = await hammer(reader, new URLSearchParams({ socket_id: socketId, channel_name: tabs[0].channels[1] }).toString());

  const perRequestMs = (w: { cpu: Record<string, number | null> }) => {
    const seconds = w.cpu["next start"];
    return seconds === null ? "n/a" : round((1000 * seconds) / CALLS, 2);
  };

  /** next start's CPU per subscribed channel over the storms of one mode, and its inverse: channels per CPU-second. */
  const appCpuSeconds = (list: typeof rounds.baseline) => list.reduce((a, r) => a + (r.cpu["next start"] ?? NaN), 0);
  const channelsOf = (list: typeof rounds.baseline) => list.reduce((a, r) => a + r.samples.length, 0);
  const cpuPerChannel = (list: typeof rounds.baseline) => round((1000 * appCpuSeconds(list)) / channelsOf(list), 2);
  const perCpuSecond = (list: typeof rounds.baseline) => round(channelsOf(list) / appCpuSeconds(list), 0);

  const expected = CLIENTS * CHANNELS * ROUNDS;
  report(
    "9-auth-storm",
    `9. Channel authorization storm: ${CLIENTS} signed-in tabs x ${CHANNELS} private channels at once, one next start on PostgreSQL`,
    {
      clients: CLIENTS,
      channels_per_tab: CHANNELS,
      rounds_per_mode: ROUNDS,
      database: "PostgreSQL (loopback)",
      build: `${TEST_DIST_DIR}, ${build.skipped ? "reused" : `built in ${round(build.ms / 1000, 0)} s`}`,
      next_start_cpu: appCpu === undefined ? "unpinned (shares both cores)" : `pinned to core ${appCpu}`,
    },
    [
      { figure: "authorizations per second", unit: "/s", baseline: perSecond(rounds.baseline), project: perSecond(rounds.project), better: "higher", target: `>= ${TARGET}/s`, met: perSecond(rounds.project) >= TARGET },
      { figure: "per channel p50", unit: "ms", baseline: base.p50, project: proj.p50, better: "lower", target: "(info)", met: true },
      { figure: "per channel p99", unit: "ms", baseline: base.p99, project: proj.p99, better: "lower", target: "(info)", met: true },
      { figure: "next start CPU per authorization", unit: "ms", baseline: cpuPerChannel(rounds.baseline), project: cpuPerChannel(rounds.project), better: "lower", target: "(info)", met: true },
      { figure: "authorizations per CPU-second of next start", unit: "/s", baseline: perCpuSecond(rounds.baseline), project: perCpuSecond(rounds.project), better: "higher", target: "(info)", met: true },
      { figure: "subscribed", unit: "channels", baseline: base.n, project: proj.n, better: "higher", target: `all ${expected}`, met: base.n === expected && proj.n === expected },
    ],
    [
      `baseline: one request per channel (today's client); project: one request per tab (batchingChannelAuthorizer); the same route, server and sockets, rounds alternating`,
      `failed or timed out: baseline ${failed(rounds.baseline)}, project ${failed(rounds.project)}; connecting and signing in ${CLIENTS} tabs took ${round(connectMs / 1000, 1)} s`,
      `per storm (/s): baseline ${rounds.baseline.map((r) => round(r.perSecond, 0)).join(", ")}; project ${rounds.project.map((r) => round(r.perSecond, 0)).join(", ")}`,
      `one request, ${CALLS} at ${CALL_CONCURRENCY} in flight: a public channel refused before any database work ${floor.perSecond}/s ${JSON.stringify(floor.statuses)}; a signed-in article channel ${full.perSecond}/s ${JSON.stringify(full.statuses)}`,
      appCpu === undefined
        ? `the ${CLIENTS} pusher-js clients run in the bench process, on the same two cores as next start, Soketi and PostgreSQL`
        : `next start alone on core ${appCpu}; the ${CLIENTS} pusher-js clients (the bench process), Soketi and PostgreSQL where the bench was started (taskset)`,
      `CPU during the baseline storms (${round(rounds.baseline.reduce((a, r) => a + r.durationS, 0), 1)} s): ${cpuShares(rounds.baseline)}`,
      `CPU during the project storms (${round(rounds.project.reduce((a, r) => a + r.durationS, 0), 1)} s): ${cpuShares(rounds.project)}`,
      `CPU during the ${CALLS} single requests, public channel refused: ${cpuShares([floor])}, next start ${perRequestMs(floor)} ms per request; signed-in article channel: ${cpuShares([full])}, next start ${perRequestMs(full)} ms per request`,
    ],
  );
});
