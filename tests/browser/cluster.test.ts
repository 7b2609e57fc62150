import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserContext } from "playwright-core";
import { startAppServer, type AppServer } from "../helpers/app-server";
import { startPostgres, type PostgresHandle } from "../helpers/postgres";
import { startSoketiCluster, type SoketiCluster, type SoketiHandle } from "../helpers/soketi";
import { LIVE_MS, articleChannelOn, browserForFile, postComment, rowTestId, unique, watchErrors, watchSocket } from "./live-support";

/**
 * The scaled-out layout with real processes (docs/scale-out.md): one PostgreSQL, Redis and two Soketi nodes, and two
 * `next start` instances of the browser project's build started at the same moment on the empty database (they
 * migrate and seed under the start-up lock). Instance 1 publishes through node A and sends its browsers to node A;
 * instance 2 uses node B. alice reads through instance 1, bob writes through instance 2, and the other way round.
 */
let pg: PostgresHandle;
let cluster: SoketiCluster;
const apps: AppServer[] = [];
const chromium = browserForFile();

beforeAll(async () => {
  pg = await startPostgres();
  const DATABASE_URL = await pg.createDatabase("cluster_app");
  cluster = await startSoketiCluster(2);
  const on = (node: SoketiHandle) => ({
    ...node.env,
    PUSHER_PUBLIC_HOST: node.host,
    PUSHER_PUBLIC_PORT: String(node.port),
    PUSHER_PUBLIC_TLS: "0",
    DATABASE_URL,
  });
  // Together, as a deploy starts them.
  apps.push(...(await Promise.all(cluster.nodes.map((node) => startAppServer({ env: on(node) })))));
}, 180_000);
afterAll(async () => {
  await Promise.all(apps.map((app) => app.stop()));
  await cluster?.stop();
  await pg?.stop();
});

/** The seeded article through one instance, its tab on the article's channel; `wsPorts` are the broker ports it used. */
async function openArticle(context: BrowserContext, app: AppServer) {
  const wsPorts: number[] = [];
  const page = await context.newPage();
  page.on("websocket", (ws) => wsPorts.push(Number(new URL(ws.url()).port)));
  const socket = watchSocket(page);
  const errors = watchErrors(page);
  await page.goto(`${app.url}/@alice/hello-realtime`);
  await page.getByRole("heading", { name: "Hello, realtime" }).waitFor();
  await socket.subscribed(await articleChannelOn(page));
  return { page, errors, wsPorts };
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
    expect(alice.wsPorts).toEqual([A.port]);
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
});
