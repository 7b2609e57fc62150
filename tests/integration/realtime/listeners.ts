import { expect } from "vitest";
import type Pusher from "pusher-js";
import type { ChannelAuthorizationHandler } from "pusher-js";
import { getEnv } from "@/env";
import { INVALIDATE_EVENT } from "@/lib/realtime";
import { createRealtimeServer } from "@/lib/realtime/server";
import { channels } from "@/backend/realtime/channels";
import { scopes, type AppPublication } from "@/backend/realtime/scopes";
import { brokerConfig, realtime } from "@/backend/realtime/server";
import { flushAfter } from "../../helpers/next-request";
import type { SoketiHandle } from "../../helpers/soketi";
import { clientOptions, connectedClient, routeAuthorizer, subscribed } from "./pusher-clients";

/** One `invalidate` event as a pusher-js client received it. */
export type Seen = { channel: string; data: unknown };
type Received = Seen & { at: number };

/**
 * A real pusher-js connection listening on some channels, each subscription authorized through the real auth route
 * with the token given for it (null: an anonymous visitor; public channels never ask the route).
 */
export type Listener = {
  readonly pusher: Pusher;
  /** Every signal on its channels, markers included, in arrival order (drain() takes them out). */
  readonly received: Received[];
  readonly channels: string[];
  /** Channel names the auth route was asked about, in order. */
  readonly authorized: string[];
  listen(channel: string, token?: string | null): Promise<void>;
  forget(channel: string): void;
  disconnect(): void;
};

export async function connectListener(soketi: SoketiHandle, token: string | null = null): Promise<Listener> {
  let authAs: string | null = token;
  const authorized: string[] = [];
  const options = clientOptions(soketi.port, () => authAs);
  const route = (routeAuthorizer(() => authAs) as { customHandler: ChannelAuthorizationHandler }).customHandler;
  options.channelAuthorization = {
    customHandler: (params, cb) => {
      authorized.push(params.channelName);
      route(params, cb);
    },
  };
  const pusher = await connectedClient(soketi.app.key, options);
  const received: Received[] = [];
  const listening: string[] = [];
  return {
    pusher,
    received,
    channels: listening,
    authorized,
    async listen(channel, as = token) {
      authAs = as;
      await subscribed(pusher, channel);
      pusher.channel(channel).bind(INVALIDATE_EVENT, (data: unknown) => received.push({ channel, data, at: Date.now() }));
      listening.push(channel);
    },
    forget(channel) {
      pusher.unsubscribe(channel);
      listening.splice(listening.indexOf(channel), 1);
    },
    disconnect: () => pusher.disconnect(),
  };
}

/** A listener already listening on `channels`, all with the same token (a browser tab). */
export async function tab(soketi: SoketiHandle, token: string | null, channelNames: string[]): Promise<Listener> {
  const listener = await connectListener(soketi, token);
  for (const channel of channelNames) await listener.listen(channel);
  return listener;
}

// Markers go through a realtime server of their own: the app's metrics and throttles stay the test's.
const markers = createRealtimeServer({ scopes, broker: () => brokerConfig(getEnv()) });
let markerSeq = 0;

/** A valid signal for any channel of the app, tagged with `marker` so drain() can tell it apart. */
function markerFor(name: string, marker: number): AppPublication {
  const channel = channels.parse(name);
  if (!channel) throw new Error(`not a channel of this app: ${name}`);
  const signal = (() => {
    switch (channel.kind) {
      case "user":
        return { scope: "notifications", ids: { marker } };
      case "resource":
        return { scope: "comments", ids: { resource_id: channel.params.id, resource_type: channel.params.type, marker } };
      case "profile":
        return { scope: "user", ids: { user_id: channel.params.userId, marker } };
      case "tag":
        return { scope: "tag-articles", ids: { tag_id: channel.params.tagId, marker } };
      case "feed":
        return { scope: "article-feed", ids: { marker } };
    }
  })();
  return { channels: [name], signal } as AppPublication;
}

export const markerOf = (data: unknown) => (data as { ids?: { marker?: number } } | null)?.ids?.marker;

/** Channels the broker currently has subscribers on, from its HTTP API through the app's server SDK. */
export async function occupiedChannels(): Promise<Record<string, { subscription_count?: number }>> {
  const res = await realtime.broker()!.pusher.get({ path: "/channels", params: { info: "subscription_count" } });
  return ((await res.json()) as { channels: Record<string, { subscription_count?: number }> }).channels;
}

/** Waits until the app's publisher has nothing queued or in flight (a throttled signal is sent outside any outbox). */
export async function publisherIdle(): Promise<void> {
  await expect.poll(async () => (await realtime.health()).queue, { timeout: 10_000, interval: 20 }).toEqual({ in_flight: 0, queued: 0 });
}

/**
 * A signal without its channel version: what each write announces is compared as scope and ids; the versions (a
 * counter per channel, so they depend on every earlier write of a test file) are the business of
 * channel-versions.test.ts.
 */
export function withoutVersion(data: unknown): unknown {
  if (!data || typeof data !== "object" || !("v" in data)) return data;
  const { v: _v, ...rest } = data as Record<string, unknown>;
  return rest;
}

const key = (r: Seen) => `${r.channel} ${JSON.stringify(r.data)}`;
/** A list of deliveries in drain()'s order. */
export const sorted = (...list: Seen[]) => list.sort((a, b) => key(a).localeCompare(key(b)));
export const on = (channel: string, data: unknown): Seen => ({ channel, data });

/**
 * Everything the code under test published to the listeners, without sleeping: its after() work is run, the app's
 * publisher is let go idle, then a marker is published on every channel listened to. Channels are FIFO, so once
 * each listener has its marker on each of its channels, everything published before has arrived too. Returns what
 * each listener got besides markers (taken out of `received`), in a fixed order (FIFO holds per channel only).
 * With `afterResponse: false` the after() work is left queued: what arrived before the response was finished.
 */
export async function drainAll(listeners: Listener[], { afterResponse = true } = {}): Promise<Seen[][]> {
  if (afterResponse) await flushAfter();
  // An action's outbox is sent once the action's current work is over (publish.ts): let that come, so its broker call is
  // counted by publisherIdle, before the markers go out ahead of it.
  await new Promise((resolve) => setImmediate(resolve));
  await publisherIdle();
  const marker = ++markerSeq;
  const names = [...new Set(listeners.flatMap((l) => l.channels))];
  await Promise.all(names.map((name) => markers.publishInvalidate(markerFor(name, marker), { socketId: null }).delivered()));
  for (const listener of listeners) {
    const arrived = () => new Set(listener.received.filter((r) => markerOf(r.data) === marker).map((r) => r.channel));
    await expect.poll(() => [...arrived()].sort(), { timeout: 10_000, interval: 20 }).toEqual([...listener.channels].sort());
  }
  return listeners.map((listener) =>
    sorted(
      ...listener.received
        .splice(0)
        .filter((r) => markerOf(r.data) === undefined)
        .map(({ channel, data }) => ({ channel, data: withoutVersion(data) })),
    ),
  );
}

export async function drain(listener: Listener, options?: { afterResponse?: boolean }): Promise<Seen[]> {
  const [seen] = await drainAll([listener], options);
  return seen;
}
