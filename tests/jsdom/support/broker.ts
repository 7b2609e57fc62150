import type { ReactNode } from "react";
import { afterAll, beforeAll, expect } from "vitest";
import { waitFor } from "@testing-library/react";
import PusherServer from "pusher";
import type PusherJs from "pusher-js";
import { GuardedPusher, type PusherFactory, type RealtimeClientConfig } from "@/lib/realtime/client";
import { INVALIDATE_EVENT } from "@/lib/realtime";
import { createRealtimeServer, type RealtimeServer } from "@/lib/realtime/server";
import { scopes, type AppPublication } from "@/backend/realtime/scopes";
import { startSoketi, type SoketiHandle } from "../../helpers/soketi";
import { renderApp, type TestAppOptions } from "./app";

/** How long a test waits for the broker (connect, subscribe, deliver) before it calls it a hang. */
export const BROKER_WAIT = { timeout: 10_000 };

export type LiveBroker = {
  readonly soketi: SoketiHandle;
  /** The broker's HTTP API (channel info, channel signatures, raw events). */
  readonly server: PusherServer;
  /** What the provider gets, as realtime.clientConfig() would give it. */
  readonly config: RealtimeClientConfig;
  /**
   * Publishes as the app does: the host's signal builders' publications through the library's publisher
   * (createRealtimeServer with the app's scope registry), awaited, so it resolves once the broker accepted them.
   * Home-feed throttle windows are closed afterwards, so a test's next feed signal is not held back (the throttle
   * has its own fake-timer tests).
   */
  publish(publications: AppPublication | readonly AppPublication[]): Promise<void>;
  /** A raw event, bypassing the publisher's checks: for signals the publisher would refuse (malformed, misrouted). */
  trigger(channel: string, data: unknown, event?: string): Promise<void>;
  subscriptionCount(channel: string): Promise<number>;
  /** Waits until the broker counts `count` subscriptions of the channel. */
  subscribedTo(channel: string, count?: number): Promise<void>;
  /** A pusher-js factory for the provider's `createPusher` seam (see trackingFactory). */
  clients(Client?: typeof PusherJs): TrackedClients;
};

/**
 * A real Soketi for the test file (started before its first test, stopped by PID after its last) with the helpers
 * every live test needs. Call at the top level of a test file.
 */
export function liveBroker(soketiOverrides: Record<string, unknown> = {}): LiveBroker {
  let soketi: SoketiHandle | undefined;
  let server: PusherServer | undefined;
  let realtime: RealtimeServer<typeof scopes> | undefined;
  const created: PusherJs[] = [];

  beforeAll(async () => {
    soketi = await startSoketi(soketiOverrides);
    const { app, port } = soketi;
    server = new PusherServer({ appId: app.id, key: app.key, secret: app.secret, host: "127.0.0.1", port: String(port), useTLS: false, timeout: 2_000 });
    const brokerConfig = { appId: app.id, key: app.key, secret: app.secret, host: "127.0.0.1", port, useTLS: false };
    realtime = createRealtimeServer({ scopes, broker: () => brokerConfig });
  });
  afterAll(async () => {
    for (const pusher of created) pusher.disconnect();
    realtime?.dispose();
    await soketi?.stop();
  });

  const need = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("liveBroker() is only usable inside tests (after beforeAll)");
    return value;
  };

  const broker: LiveBroker = {
    get soketi() {
      return need(soketi);
    },
    get server() {
      return need(server);
    },
    get config() {
      const { app, port } = need(soketi);
      return { key: app.key, wsHost: "127.0.0.1", wsPort: port, forceTLS: false, cluster: "mt1", authEndpoint: "/api/realtime/auth", signinEndpoint: "/api/realtime/signin" };
    },
    async publish(publications) {
      const rt = need(realtime);
      await rt.publishInvalidate(publications as AppPublication[]).delivered();
      rt.dispose();
    },
    async trigger(channel, data, event = INVALIDATE_EVENT) {
      await need(server).trigger(channel, event, data);
    },
    async subscriptionCount(channel) {
      const res = await need(server).get({ path: "/channels", params: { info: "subscription_count" } });
      const body = (await res.json()) as { channels: Record<string, { subscription_count?: number }> };
      return body.channels[channel]?.subscription_count ?? 0;
    },
    subscribedTo(channel, count = 1) {
      return waitFor(async () => expect(await broker.subscriptionCount(channel)).toBe(count), BROKER_WAIT);
    },
    clients(Client = GuardedPusher) {
      const tracked = trackingFactory(need(server), Client);
      tracked.onCreate((pusher) => created.push(pusher));
      return tracked;
    },
  };
  return broker;
}

export type TrackedClients = ReturnType<typeof trackingFactory>;

/**
 * The production pusher-js class (reconnect guard included; pass `PusherJs` for the plain one) against the real
 * Soketi. Only the auth transport is replaced, since jsdom has no app server: it signs exactly as the route does
 * (the route has its own tests) and records which channels asked. Records the subscribe frames sent (pusher-js
 * sends them again on every reconnect) and every invalidate event each client received, with its arrival time.
 */
export function trackingFactory(server: PusherServer, Client: typeof PusherJs = GuardedPusher) {
  const created: PusherJs[] = [];
  const subscribeFrames: string[] = [];
  /** Channels the stand-in auth endpoint was asked to sign. */
  const signed: string[] = [];
  /** Per client (index in `created`): arrival times (performance.now()) of invalidate events. */
  const received: number[][] = [];
  const listeners: Array<(pusher: PusherJs) => void> = [];
  const factory: PusherFactory = (key, options) => {
    const pusher = new Client(key, {
      ...options,
      channelAuthorization: {
        customHandler: ({ socketId, channelName }, cb) => {
          signed.push(channelName);
          cb(null, server.authorizeChannel(socketId, channelName));
        },
      },
      // Signed in as a guest, as the sign-in route does without a session (the route has its own tests).
      userAuthentication: {
        customHandler: ({ socketId }, cb) => cb(null, server.authenticateUser(socketId, { id: `guest-${socketId}` })),
      },
    });
    const send = pusher.send_event.bind(pusher);
    pusher.send_event = (name: string, data: { channel?: string }, channel?: string) => {
      // pusher-js itself joins "#server-to-user-<id>" after each sign-in (nothing is ever sent there); not the app's.
      if (name === "pusher:subscribe" && !String(data.channel).startsWith("#server-to-user-")) subscribeFrames.push(String(data.channel));
      return send(name, data, channel);
    };
    const arrivals: number[] = [];
    received.push(arrivals);
    pusher.connection.bind("message", (message: { event?: string }) => {
      if (message.event === INVALIDATE_EVENT) arrivals.push(performance.now());
    });
    created.push(pusher);
    for (const listener of listeners) listener(pusher);
    return pusher;
  };
  return { factory, created, subscribeFrames, signed, received, onCreate: (listener: (pusher: PusherJs) => void) => void listeners.push(listener) };
}

/**
 * A stand-in for the app's auth and sign-in routes on a loopback port, for tests of the client's own transports (the
 * `authEndpoint` and `signinEndpoint` of the client config): it signs every channel it is asked for (but those in
 * `refuse`, answered 403 as the route refuses an unreadable resource), in the route's formats for one channel and for
 * a batch, signs sockets in as guests, and records all of it. The route's policy has its own tests.
 */
export async function startAuthStandIn(server: PusherServer, { failSignins = 0, refuse = [] as readonly string[] } = {}) {
  const http = await import("node:http");
  /** Every channel asked for, in order. */
  const requests: string[] = [];
  /** The channels of each authorization request. */
  const batches: string[][] = [];
  const signins: string[] = [];
  const answerFor = (socketId: string, channel: string) =>
    refuse.includes(channel) ? { status: 403, error: "You cannot read this resource." } : server.authorizeChannel(socketId, channel);
  const endpoint = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      const form = new URLSearchParams(body);
      const socketId = form.get("socket_id") ?? "";
      const channels = form.getAll("channel_name");
      const reply = (status: number, answer: unknown) => {
        // The page's origin (jsdom's) differs from this port: a cross-origin answer, as a separate auth host would give.
        res.writeHead(status, { "Content-Type": "application/json", "Access-Control-Allow-Origin": "*" });
        res.end(JSON.stringify(answer));
      };
      if (req.url?.endsWith("/signin")) {
        signins.push(socketId);
        if (signins.length <= failSignins) return reply(503, { error: "Realtime sign-in is temporarily unavailable." });
        return reply(200, server.authenticateUser(socketId, { id: `guest-${socketId}` }));
      }
      requests.push(...channels);
      batches.push(channels);
      if (channels.length > 1) return reply(200, { channels: Object.fromEntries(channels.map((c) => [c, answerFor(socketId, c)])) });
      const answer = answerFor(socketId, channels[0] ?? "");
      return "status" in answer ? reply(answer.status, { error: answer.error }) : reply(200, answer);
    });
  });
  await new Promise<void>((resolve) => endpoint.listen(0, "127.0.0.1", resolve));
  const { port } = endpoint.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/api/realtime/auth`,
    signinUrl: `http://127.0.0.1:${port}/api/realtime/signin`,
    requests,
    batches,
    signins,
    close: () => new Promise<void>((resolve) => endpoint.close(() => resolve())),
  };
}

/**
 * A tab of the app as the layout renders it (SessionWatcher included) on the live broker, with the production
 * pusher-js class; `clients` tells which channels it had signed, what it subscribed and received.
 */
export function renderLive(broker: LiveBroker, ui: ReactNode, options: Partial<TestAppOptions> = {}) {
  const clients = broker.clients();
  const view = renderApp(ui, { config: broker.config, createPusher: clients.factory, sessionWatcher: true, ...options });
  return { ...view, clients };
}
