import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserContext } from "playwright-core";
import { startAppServer, type AppServer } from "../helpers/app-server";
import { startPostgres, type PostgresHandle } from "../helpers/postgres";
import { startSoketiCluster, type SoketiCluster, type SoketiHandle } from "../helpers/soketi";
import { startBalancer, type Balancer } from "../helpers/tcp-balancer";
import { LIVE_MS, articleChannelOn, browserForFile, postComment, rowTestId, unique, watchErrors, watchSocket } from "./live-support";

/**
 * The scaled-out layout with real processes (docs/scale-out.md): one PostgreSQL, Redis and two Soketi nodes, and two
 * `next start` instances of the browser project's build started at the same moment on the empty database (they
 * migrate and seed under the start-up lock). Instance 1 publishes through node A and sends its browsers to node A;
 * instance 2 uses node B. alice reads through instance 1, bob writes through instance 2, and the other way round.
 * Instance 1's browsers reach the brokers through a fail-over balancer (node A first, then B), so that node A can die.
 */
let pg: PostgresHandle;
let cluster: SoketiCluster;
let balancer: Balancer;
const apps: AppServer[] = [];
const chromium = browserForFile();

beforeAll(async () => {
  pg = await startPostgres();
  const DATABASE_URL = await pg.createDatabase("cluster_app");
  cluster = await startSoketiCluster(2);
  const [A, B] = cluster.nodes;
  balancer = await startBalancer([A.port, B.port]);
  const on = (node: SoketiHandle, browserPort: number) => ({
    ...node.env,
    PUSHER_PUBLIC_HOST: node.host,
    PUSHER_PUBLIC_PORT: String(browserPort),
    PUSHER_PUBLIC_TLS: "0",
    DATABASE_URL,
  });
  // Together, as a deploy starts them.
  apps.push(...(await Promise.all([startAppServer({ env: on(A, balancer.port) }), startAppServer({ env: on(B, B.port) })])));
}, 180_000);
afterAll(async () => {
  await Promise.all(apps.map((app) => app.stop()));
  await balancer?.close();
  await cluster?.stop();
  await pg?.stop();
});

/**
 * The seeded article through one instance, its tab on the article's channel; `wsPorts` are the broker ports its
 * WebSockets used, `closed` how many of them closed.
 */
async function openArticle(context: BrowserContext, app: AppServer) {
  const wsPorts: number[] = [];
  const closed = { count: 0 };
  const page = await context.newPage();
  page.on("websocket", (ws) => {
    wsPorts.push(Number(new URL(ws.url()).port));
    ws.on("close", () => closed.count++);
  });
  const socket = watchSocket(page);
  const errors = watchErrors(page);
  await page.goto(`${app.url}/@alice/hello-realtime`);
  await page.getByRole("heading", { name: "Hello, realtime" }).waitFor();
  await socket.subscribed(await articleChannelOn(page));
  return { page, errors, socket, wsPorts, closed };
}

describe("two app instances on two broker nodes, one PostgreSQL", () => {
  it("both instances came up on the empty database together, with the demo data seeded once", async () => {
    for (const app of apps) expect(app.log()).toMatch(/demo data ready in PostgreSQL/);
    const { Client } = await import("pg");
    const client = new Client({ connectionString: pg.url("cluster_app") });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: number }>("select count(*)::int as n from users");
      expect(rows[0].n).toBe(3);
    } finally {
      await client.end();
    }
  });

  it("bob comments through instance 2 / node B and alice, on instance 1 / node A, sees it live; and back", async () => {
    const [one, two] = apps;
    const [A, B] = cluster.nodes;
    const alice = await openArticle(await chromium.context(one.url, "alice"), one);
    const bob = await openArticle(await chromium.context(two.url, "bob"), two);
    expect(alice.wsPorts).toEqual([balancer.port]);
    expect(balancer.connections()).toEqual([1, 0]); // alice's tab is on node A
    expect(A.port).not.toBe(B.port);
    expect(bob.wsPorts).toEqual([B.port]);
    const comment = (page: typeof alice.page, text: string) => page.getByTestId(rowTestId("comment")).filter({ hasText: text });

    const fromBob = unique("bob through instance 2");
    await postComment(bob.page, fromBob);
    await comment(alice.page, fromBob).waitFor({ timeout: LIVE_MS });

    const fromAlice = unique("alice through instance 1");
    await postComment(alice.page, fromAlice);
    await comment(bob.page, fromAlice).waitFor({ timeout: LIVE_MS });
    expect(alice.errors).toEqual([]);
    expect(bob.errors).toEqual([]);
  });

  it("node A dies: alice's tab reconnects through the balancer to node B, subscribes again and shows the comment it missed", async () => {
    const [one, two] = apps;
    const [A] = cluster.nodes;
    const alice = await openArticle(await chromium.context(one.url, "alice"), one);
    const bob = await openArticle(await chromium.context(two.url, "bob"), two);
    const before = balancer.connections();
    const comment = (page: typeof alice.page, text: string) => page.getByTestId(rowTestId("comment")).filter({ hasText: text });

    // Node A dies while the balancer has nowhere to send a reconnect: the comment's signal cannot reach alice.
    balancer.pause();
    await A.stop();
    await expect.poll(() => alice.closed.count, { timeout: LIVE_MS }).toBe(1);
    const missed = unique("bob while alice was cut off");
    await postComment(bob.page, missed);

    // Node B is reachable again through the balancer: pusher-js reconnects, signs in, subscribes again, and the
    // client refreshes what it had subscribed to (the reconnect resync), so the missed comment appears.
    balancer.resume();
    await expect.poll(() => alice.wsPorts.length, { timeout: LIVE_MS }).toBeGreaterThanOrEqual(2);
    await comment(alice.page, missed).waitFor({ timeout: LIVE_MS });
    const after = balancer.connections();
    expect(after[0]).toBe(before[0]); // nothing more on the dead node
    expect(after[1]).toBeGreaterThan(before[1]);
  });
});
