import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resetEnvCache } from "@/env";
import { createSession } from "@/backend/session-store";
import { createRealtimeServer } from "@/lib/realtime/server";
import { brokerConfig, publishInvalidate, realtime } from "@/backend/realtime/server";
import { articleFeedChannel, resourceChannel, userChannel } from "@/backend/realtime/channels";
import { HOME_FEED_WINDOW_MS, scopes } from "@/backend/realtime/scopes";
import { commentThreadSignal, notificationsSignal } from "@/backend/realtime/signals";
import { databaseWindowStore } from "@/backend/realtime/throttle-store";
import { getDb } from "@/db/client";
import { getEnv } from "@/env";
import { freshDb } from "../../helpers/db";
import { startSoketiCluster, type SoketiCluster, type SoketiHandle } from "../../helpers/soketi";
import { startBalancer } from "../../helpers/tcp-balancer";
import { seeded, type Seeded } from "../../db/fixtures";
import { connectListener, drain, on, sorted, withoutVersion, type Listener } from "../realtime/listeners";
import { as } from "../realtime/realtime-env";
import { deleteSession } from "@/backend/services/session.actions";
import { ok } from "../../db/fixtures";
import { APP_ORIGIN } from "../realtime/auth-helpers";
import { once } from "../realtime/pusher-clients";

/**
 * The broker scaled out: Redis and two Soketi nodes on its adapter (scripts/cluster-config.mjs), on loopback, stopped
 * by pid. The app (its routes and publisher, in this process) publishes through node B; clients connect to node A
 * or B, or through a fail-over TCP balancer. What must hold on one node holds across two.
 */
let cluster: SoketiCluster;
let A: SoketiHandle;
let B: SoketiHandle;
let s: Seeded;
const saved = { ...process.env };
const listeners: Listener[] = [];

async function listener(node: SoketiHandle | { port: number; app: SoketiHandle["app"] }, token: string | null) {
  const l = await connectListener(node as SoketiHandle, token);
  listeners.push(l);
  return l;
}
const token = async (user: "alice" | "bob", device = "cluster test") => (await createSession(s[user], device, "127.0.0.1")).token;

beforeAll(async () => {
  cluster = await startSoketiCluster(2);
  [A, B] = cluster.nodes;
  Object.assign(process.env, B.env, { APP_URL: APP_ORIGIN, REALTIME_PUBLISH_TIMEOUT_MS: "3000" });
  delete process.env.INNGEST_DEV;
  delete process.env.INNGEST_EVENT_KEY;
  resetEnvCache();
  await freshDb();
  s = await seeded();
});
afterAll(async () => {
  for (const l of listeners) l.disconnect();
  realtime.dispose();
  await cluster?.stop();
  process.env = saved;
  resetEnvCache();
});

describe("two Soketi nodes on one Redis", () => {
  it("a tab on node A receives a signal published through node B; the writer's own tab on node A is still left out", async () => {
    const channel = resourceChannel("ARTICLE", s.hello);
    const reader = await listener(A, await token("bob"));
    const writer = await listener(A, await token("alice"));
    await reader.listen(channel);
    await writer.listen(channel);
    const thread = commentThreadSignal({ resource_type: "ARTICLE", resource_id: s.hello });

    await publishInvalidate(thread, { socketId: writer.pusher.connection.socket_id }).delivered();
    expect(await drain(reader)).toEqual([on(channel, thread.signal)]);
    // The same path without the exclusion reaches the writer, once: the first signal was left out on purpose.
    await publishInvalidate(thread, { socketId: null }).delivered();
    expect(await drain(writer)).toEqual([on(channel, thread.signal)]);
    expect(await drain(reader)).toEqual([on(channel, thread.signal)]);
  });

  it("channel authorization signs for either node: one user's tabs on A and on B both subscribe and both receive", async () => {
    const channel = userChannel(s.alice);
    const alice = await token("alice");
    const onA = await listener(A, alice);
    const onB = await listener(B, alice);
    await onA.listen(channel);
    await onB.listen(channel);
    await publishInvalidate(notificationsSignal(s.alice)).delivered();
    expect(await drain(onA)).toEqual([on(channel, notificationsSignal(s.alice).signal)]);
    expect(await drain(onB)).toEqual([on(channel, notificationsSignal(s.alice).signal)]);
    // A guest cannot, on either node.
    for (const node of [A, B]) {
      const guest = await listener(node, null);
      const refused = once(guest.pusher, channel, "pusher:subscription_error");
      guest.pusher.subscribe(channel);
      expect(JSON.stringify(await refused)).toMatch(/403|401/);
    }
  });

  it("revoking a session (the sessions action, its broker call through node B) closes its socket on node A; the user's tab on node B stays", async () => {
    const channel = userChannel(s.alice);
    const stolen = await createSession(s.alice, "stolen cookie", "127.0.0.1");
    const hostile = await listener(A, stolen.token);
    const laptop = await listener(B, await token("alice", "laptop"));
    await hostile.listen(channel);
    await laptop.listen(channel);
    ok(await as("alice", () => deleteSession({ id: stolen.sessionId })));
    await expect.poll(() => hostile.pusher.connection.state, { timeout: 5_000 }).not.toBe("connected");
    await publishInvalidate(notificationsSignal(s.alice)).delivered();
    const revoked = { scope: "sessions", ids: { session_id: stolen.sessionId } };
    expect(await drain(laptop)).toEqual(sorted(on(channel, revoked), on(channel, notificationsSignal(s.alice).signal)));
    // The revocation's own signal went out before the sockets were closed; nothing after it.
    expect(hostile.received.map((r) => withoutVersion(r.data))).toEqual([revoked]);
  });

  it("two app instances publishing the home feed's signal through different nodes within one window send one signal, then one trailing", async () => {
    // A second app instance: its own realtime server on node A, sharing the window through the database.
    const config = brokerConfig(getEnv())!;
    const shared = () => databaseWindowStore(getDb);
    const one = createRealtimeServer({ scopes, broker: () => ({ ...config, port: B.port }), throttleStore: shared });
    const two = createRealtimeServer({ scopes, broker: () => ({ ...config, port: A.port }), throttleStore: shared });
    const feed = articleFeedChannel();
    const reader = await listener(A, null);
    await reader.listen(feed);
    try {
      one.publishInvalidate({ channels: [feed], signal: { scope: "article-feed" } });
      await new Promise((r) => setTimeout(r, 50));
      two.publishInvalidate({ channels: [feed], signal: { scope: "article-feed" } });
      await expect.poll(() => reader.received.length, { timeout: HOME_FEED_WINDOW_MS + 5_000, interval: 50 }).toBe(2);
      const [leading, trailing] = reader.received;
      expect(trailing.at - leading.at).toBeGreaterThanOrEqual(HOME_FEED_WINDOW_MS - 100);
      expect(reader.received.map((r) => r.data)).toEqual([{ scope: "article-feed" }, { scope: "article-feed" }]);
    } finally {
      one.dispose();
      two.dispose();
    }
  });

  it("killing node A: its clients reconnect through the balancer to node B, subscribe again and receive", async () => {
    const balancer = await startBalancer([A.port, B.port]);
    try {
      const channel = userChannel(s.bob);
      const tab = await listener({ port: balancer.port, app: A.app }, await token("bob"));
      await tab.listen(channel);
      expect(balancer.connections()).toEqual([1, 0]);
      const before = tab.pusher.connection.socket_id;
      await publishInvalidate(notificationsSignal(s.bob)).delivered();
      expect(await drain(tab)).toEqual([on(channel, notificationsSignal(s.bob).signal)]);

      await A.stop(); // SIGKILL: no goodbye to its clients
      // pusher-js's own reconnect path: a new connection (the balancer sends it to B), a new socket, signed in again
      // and its channel authorized again through the routes.
      await expect.poll(() => tab.pusher.connection.socket_id !== before && tab.pusher.connection.state === "connected", { timeout: 15_000, interval: 50 }).toBe(true);
      expect(balancer.connections()).toEqual([1, 1]);
      await expect.poll(() => tab.pusher.channel(channel)?.subscribed, { timeout: 5_000, interval: 50 }).toBe(true);
      await publishInvalidate(notificationsSignal(s.bob)).delivered();
      expect(await drain(tab)).toEqual([on(channel, notificationsSignal(s.bob).signal)]);
    } finally {
      await balancer.close();
    }
  });
});
