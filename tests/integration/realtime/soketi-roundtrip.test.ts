import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import Pusher from "pusher-js";
import { resetEnvCache } from "@/env";
import { resourceChannel, userChannel } from "@/lib/realtime/channels";
import { getBroker } from "@/lib/realtime/broker.server";
import { publishInvalidate, publishInvalidateNow } from "@/lib/realtime/publish.server";
import { createPusherConnection } from "@/lib/realtime/client/pusher-connection";
import { freshDb, userId } from "../../helpers/db";
import { createSession } from "@/backend/session-store";
import { flushAfter, resetRequest } from "../../helpers/next-request";
import { startSoketi, type SoketiHandle } from "../../helpers/soketi";
import { APP_ORIGIN, articleId } from "./auth-helpers";
import { clientOptions, connectedClient, once, subscribed } from "./pusher-clients";

let soketi: SoketiHandle;
let alice: number;
let bob: number;
let aliceToken: string;
const clients: Pusher[] = [];
const saved = { ...process.env };

beforeAll(async () => {
  soketi = await startSoketi();
  Object.assign(process.env, soketi.env, { APP_URL: APP_ORIGIN, REALTIME_PUBLISH_TIMEOUT_MS: "2000" });
  resetEnvCache();
  await freshDb();
  alice = await userId("alice");
  bob = await userId("bob");
  aliceToken = (await createSession(alice, "vitest", "127.0.0.1")).token;
});
afterAll(async () => {
  for (const c of clients) c.disconnect();
  await soketi?.stop();
  process.env = saved;
  resetEnvCache();
});
beforeEach(() => resetRequest());
afterEach(() => {
  for (const c of clients.splice(0)) c.disconnect();
});

const client = async (token: string | null) => {
  const c = await connectedClient(soketi.app.key, clientOptions(soketi.port, () => token));
  clients.push(c);
  return c;
};

/** Channels Soketi currently has subscribers on, from its HTTP API through the server SDK. */
async function occupied(): Promise<Record<string, { subscription_count?: number }>> {
  const res = await getBroker()!.pusher.get({ path: "/channels", params: { info: "subscription_count" } });
  return ((await res.json()) as { channels: Record<string, { subscription_count?: number }> }).channels;
}

describe("real Soketi, real pusher-js, real auth route", () => {
  it("delivers exactly the published signal to the subscribed user (awaited and after() variants)", async () => {
    const pusher = await client(aliceToken);
    const channel = userChannel(alice);
    await subscribed(pusher, channel);

    const received: unknown[] = [];
    pusher.channel(channel).bind("invalidate", (d: unknown) => received.push(d));
    const first = once(pusher, channel, "invalidate");
    await publishInvalidateNow(channel, { scope: "notifications" });
    expect(await first).toEqual({ scope: "notifications" });

    const second = once(pusher, channel, "invalidate");
    publishInvalidate(channel, { scope: "bookmarks", ids: { resource_id: 3 } });
    await flushAfter();
    expect(await second).toEqual({ scope: "bookmarks", ids: { resource_id: 3 } });
    await new Promise((r) => setTimeout(r, 200));
    expect(received).toEqual([{ scope: "notifications" }, { scope: "bookmarks", ids: { resource_id: 3 } }]);
  });

  it("refuses another user's channel with pusher:subscription_error", async () => {
    const pusher = await client(aliceToken);
    const foreign = userChannel(bob);
    const error = once<{ type: string; error: string }>(pusher, foreign, "pusher:subscription_error");
    pusher.subscribe(foreign);
    expect(await error).toMatchObject({ type: "AuthError", error: expect.stringMatching(/^403 /) });
    expect(pusher.channel(foreign).subscribed).toBe(false);
    expect(Object.keys(await occupied())).not.toContain(foreign);
  });

  it("refuses an anonymous visitor's user channel with 401", async () => {
    const pusher = await client(null);
    const error = once<{ error: string }>(pusher, userChannel(alice), "pusher:subscription_error");
    pusher.subscribe(userChannel(alice));
    expect((await error).error).toMatch(/^401 /);
  });

  it("lets an anonymous visitor join a published article's channel and refuses a draft's", async () => {
    const pusher = await client(null);
    const published = resourceChannel("ARTICLE", await articleId("hello-realtime"));
    const draft = resourceChannel("ARTICLE", await articleId("alice-draft"));
    await subscribed(pusher, published);
    const refused = once<{ error: string }>(pusher, draft, "pusher:subscription_error");
    pusher.subscribe(draft);
    expect((await refused).error).toMatch(/^403 /);
    const heard = once(pusher, published, "invalidate");
    const ids = { resource_id: await articleId("hello-realtime"), resource_type: "ARTICLE" } as const;
    await publishInvalidateNow(published, { scope: "comments", ids });
    expect(await heard).toEqual({ scope: "comments", ids });
  });

  it("skips the originating connection when given its socket id; the user's other tab still hears it", async () => {
    const origin = await client(aliceToken);
    const otherTab = await client(aliceToken);
    const channel = userChannel(alice);
    await Promise.all([subscribed(origin, channel), subscribed(otherTab, channel)]);
    const heard: string[] = [];
    origin.channel(channel).bind("invalidate", () => heard.push("origin"));
    const other = once(otherTab, channel, "invalidate");
    await publishInvalidateNow(channel, { scope: "dashboard-articles" }, { socketId: origin.connection.socket_id });
    expect(await other).toEqual({ scope: "dashboard-articles" });
    await new Promise((r) => setTimeout(r, 300));
    expect(heard).toEqual([]);
  });

  it("the registry shares one subscription and keeps it until the last member leaves", async () => {
    const signals: Array<[string, unknown]> = [];
    const created: Pusher[] = [];
    const conn = createPusherConnection({
      config: { key: soketi.app.key, wsHost: "127.0.0.1", wsPort: soketi.port, forceTLS: false, cluster: "mt1" },
      onSignal: (channel, data) => signals.push([channel, data]),
      createPusher: (key, options) => {
        // Same options the browser gets, but authorized through the route handler directly instead of by fetch.
        const p = new Pusher(key, { ...options, channelAuthorization: clientOptions(soketi.port, () => aliceToken).channelAuthorization });
        created.push(p);
        return p;
      },
    });
    const channel = userChannel(alice);
    // Clients of earlier tests are gone, so every subscriber counted below is this registry's.
    await expect.poll(async () => Object.keys(await occupied()), { timeout: 5_000 }).not.toContain(channel);
    const leaveA = conn.join(channel);
    const leaveB = conn.join(channel);
    expect(created).toHaveLength(1);
    await expect.poll(() => conn.getStatus(), { timeout: 10_000 }).toBe("connected");
    await expect.poll(async () => (await occupied())[channel]?.subscription_count, { timeout: 5_000 }).toBe(1);

    await publishInvalidateNow(channel, { scope: "notifications" });
    await expect.poll(() => signals.length).toBe(1);
    expect(signals[0]).toEqual([channel, { scope: "notifications" }]);

    leaveA();
    leaveA(); // a second leave from the same member must not take the other member's share
    await new Promise((r) => setTimeout(r, 300));
    expect((await occupied())[channel]?.subscription_count).toBe(1);
    await publishInvalidateNow(channel, { scope: "notifications" });
    await expect.poll(() => signals.length).toBe(2);

    leaveB();
    await expect.poll(async () => Object.keys(await occupied()), { timeout: 5_000 }).not.toContain(channel);
    expect(conn.channels()).toEqual([]);
    conn.destroy();
    expect(conn.getStatus()).toBe("disabled");
    expect(created[0].connection.state).toBe("disconnected");
  });
});
