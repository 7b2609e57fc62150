import Pusher, { type Options as PusherOptions } from "pusher-js";
import { INVALIDATE_EVENT } from "../signal";
import { createChannelRegistry } from "./channel-registry";
import { statusFromPusherState, warnInDevelopment, type RealtimeConnection, type RealtimeStatus } from "./connection";
import { guardReconnects, RECONNECT_POLICY, type ReconnectPolicy } from "./reconnect";

export type { PusherOptions };

type Handler = (data: unknown) => void;

/** The part of pusher-js this module uses; a real Pusher instance satisfies it, and so can a test double. */
export interface PusherLike {
  subscribe(channel: string): { bind(event: string, cb: Handler): unknown; unbind(event?: string, cb?: Handler): unknown };
  unsubscribe(channel: string): void;
  disconnect(): void;
  connection: {
    state: string;
    socket_id?: string;
    bind(event: string, cb: Handler): unknown;
    unbind(event?: string, cb?: Handler): unknown;
  };
}

export type PusherFactory = (key: string, options: PusherOptions) => PusherLike;

/** What the browser needs to reach the broker; the server builds it (realtime.clientConfig()) for the provider. */
export type RealtimeClientConfig = {
  key: string;
  wsHost: string;
  wsPort: number;
  forceTLS: boolean;
  /** pusher-js 8 requires a cluster even when wsHost points at Soketi. */
  cluster: string;
  /** The channel authorization route (createRealtimeAuthHandler). */
  authEndpoint: string;
};

export function pusherOptions(config: RealtimeClientConfig): PusherOptions {
  return {
    cluster: config.cluster,
    wsHost: config.wsHost,
    wsPort: config.wsPort,
    wssPort: config.wsPort,
    forceTLS: config.forceTLS,
    // WebSocket only: the HTTP fallbacks need endpoints Soketi does not serve.
    enabledTransports: ["ws", "wss"],
    disableStats: true,
    channelAuthorization: { endpoint: config.authEndpoint, transport: "ajax" },
  };
}

/** pusher-js with its reconnect loop bounded from the very first attempt (the constructor already connects). */
export class GuardedPusher extends Pusher {
  connect() {
    guardReconnects(this);
    super.connect();
  }
}

const defaultFactory: PusherFactory = (key, options) => new GuardedPusher(key, options);

type Options = {
  config: RealtimeClientConfig;
  /** Every event named `invalidate` on a joined channel. */
  onSignal: (channel: string, data: unknown) => void;
  /**
   * A channel is subscribed again after signals on it may have been missed (the connection was lost after it was
   * joined, or it was joined while the connection was lost); refresh everything it covers.
   */
  onResync?: (channel: string) => void;
  createPusher?: PusherFactory;
  /** Applied to whatever the factory returns (idempotent; a test double without pusher-js internals is left as is). */
  reconnectPolicy?: ReconnectPolicy;
};

/**
 * The pusher-js backed connection. The socket opens on the first join (a page with no live data costs nothing)
 * and stays until destroy(); each joined channel binds its handlers once, however many components use it.
 */
export function createPusherConnection({
  config,
  onSignal,
  onResync,
  createPusher = defaultFactory,
  reconnectPolicy = RECONNECT_POLICY,
}: Options): RealtimeConnection {
  let pusher: PusherLike | null = null;
  let destroyed = false;
  let everConnected = false;
  let status: RealtimeStatus = "disabled";
  const listeners = new Set<() => void>();
  /** Per joined channel: true once a gap in delivery means its next successful subscription must resync. */
  const missed = new Map<string, boolean>();

  const setStatus = (next: RealtimeStatus) => {
    if (next === status) return;
    // Leaving "connected" loses signals; so does a first connection that failed (the page loaded while the broker
    // was down): either way, what the channels were joined for may have changed before they are subscribed.
    if (status === "connected" || next === "offline") for (const name of missed.keys()) missed.set(name, true);
    status = next;
    for (const listener of [...listeners]) listener();
  };
  const onStateChange: Handler = (change) => {
    const current = (change as { current: string }).current;
    setStatus(statusFromPusherState(current, everConnected));
    if (current === "connected") everConnected = true;
  };
  // pusher-js keeps saying "connected" for the second it waits before reconnecting a dropped socket.
  const onConnectingIn: Handler = () => {
    if (status === "connected") setStatus("offline");
  };

  const ensurePusher = () => {
    if (!pusher) {
      pusher = createPusher(config.key, pusherOptions(config));
      guardReconnects(pusher, reconnectPolicy);
      pusher.connection.bind("state_change", onStateChange);
      pusher.connection.bind("connecting_in", onConnectingIn);
      everConnected = pusher.connection.state === "connected";
      setStatus(statusFromPusherState(pusher.connection.state));
    }
    return pusher;
  };

  const registry = createChannelRegistry((name) => {
    const client = ensurePusher();
    const channel = client.subscribe(name);
    missed.set(name, status === "offline");
    const handler: Handler = (data) => onSignal(name, data);
    const onSubscribed: Handler = () => {
      if (!missed.get(name)) return;
      missed.set(name, false);
      onResync?.(name);
    };
    const onError: Handler = (error) => warnInDevelopment(`subscription to ${name} was refused`, error);
    channel.bind(INVALIDATE_EVENT, handler);
    channel.bind("pusher:subscription_succeeded", onSubscribed);
    channel.bind("pusher:subscription_error", onError);
    return () => {
      missed.delete(name);
      channel.unbind(INVALIDATE_EVENT, handler);
      channel.unbind("pusher:subscription_succeeded", onSubscribed);
      channel.unbind("pusher:subscription_error", onError);
      client.unsubscribe(name);
    };
  });

  return {
    join: (name) => registry.join(name),
    channels: () => registry.names(),
    getStatus: () => status,
    onStatusChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    socketId: () => (status === "connected" ? (pusher?.connection.socket_id ?? null) : null),
    destroy() {
      if (destroyed) return;
      destroyed = true;
      registry.close();
      if (pusher) {
        pusher.connection.unbind("state_change", onStateChange);
        pusher.connection.unbind("connecting_in", onConnectingIn);
        pusher.disconnect();
        pusher = null;
      }
      setStatus("disabled");
      listeners.clear();
    },
  };
}
