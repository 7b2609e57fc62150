import Pusher, { type Options as PusherOptions } from "pusher-js";
import { INVALIDATE_EVENT } from "../signal";
import { batchingChannelAuthorizer } from "./channel-authorizer";
import { createChannelRegistry } from "./channel-registry";
import { statusFromPusherState, warnInDevelopment, type RealtimeConnection, type RealtimeStatus } from "./connection";
import { guardReconnects, RECONNECT_POLICY, type ReconnectPolicy } from "./reconnect";

export type { PusherOptions };

type Handler = (data: unknown) => void;

/** The part of pusher-js this module uses; a real Pusher instance satisfies it, and so can a test double. */
export interface PusherLike {
  /** pusher-js signs the socket in at every (re)connection once this was called (user authentication). */
  signin?(): void;
  user?: { signinDonePromise: Promise<unknown> | null; bind(event: string, cb: Handler): unknown; unbind(event?: string, cb?: Handler): unknown };
  connect?(): void;
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
  /** The user sign-in route (createRealtimeSigninHandler). */
  signinEndpoint: string;
  /** The channel versions route (createRealtimeVersionsHandler); absent: no version checks. */
  versionsEndpoint?: string;
};

export function pusherOptions(
  config: RealtimeClientConfig,
  signinDone: () => Promise<unknown> | null | undefined = () => null,
  onBaseline: (channel: string, version: number) => void = () => {},
): PusherOptions {
  return {
    cluster: config.cluster,
    wsHost: config.wsHost,
    wsPort: config.wsPort,
    wssPort: config.wsPort,
    forceTLS: config.forceTLS,
    // WebSocket only: the HTTP fallbacks need endpoints Soketi does not serve.
    enabledTransports: ["ws", "wss"],
    disableStats: true,
    userAuthentication: { endpoint: config.signinEndpoint, transport: "ajax" },
    // After the socket's sign-in, a tab's channels in one request (channel-authorizer.ts).
    channelAuthorization: {
      endpoint: config.authEndpoint,
      transport: "ajax",
      customHandler: batchingChannelAuthorizer({ endpoint: config.authEndpoint, signinDone, onBaseline }),
    },
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
  /** A private channel's version, from its authorization (just before the broker subscribes it). */
  onBaseline?: (channel: string, version: number) => void;
  /** The broker confirmed a subscription (the first or a renewed one). */
  onSubscribed?: (channel: string) => void;
  /** The last member left the channel and it was unsubscribed. */
  onRelease?: (channel: string) => void;
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
  onBaseline,
  onSubscribed: onConfirmed,
  onRelease,
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

  // A failed sign-in leaves the socket unable to join a session's channels (and, on a broker that requires
  // sign-in, closed after 30 s without a retry): connect again, with the reconnect policy's back-off.
  let signinFailures = 0;
  let signinRetry: ReturnType<typeof setTimeout> | undefined;
  const onMessage: Handler = (message) => {
    if ((message as { event?: string }).event === "pusher:signin_success") signinFailures = 0;
  };
  const onSigninError: Handler = (error) => {
    warnInDevelopment("signing the connection in failed", error);
    clearTimeout(signinRetry);
    signinRetry = setTimeout(() => {
      if (destroyed || !pusher) return;
      pusher.disconnect();
      pusher.connect?.();
    }, reconnectPolicy.delayMs(++signinFailures, Math.random));
  };

  const ensurePusher = () => {
    if (!pusher) {
      const client = createPusher(
        config.key,
        pusherOptions(config, () => client.user?.signinDonePromise, (name, version) => onBaseline?.(name, version)),
      );
      pusher = client;
      guardReconnects(client, reconnectPolicy);
      client.connection.bind("state_change", onStateChange);
      client.connection.bind("connecting_in", onConnectingIn);
      client.user?.bind("pusher:signin_error", onSigninError);
      client.connection.bind("message", onMessage);
      client.signin?.();
      everConnected = client.connection.state === "connected";
      setStatus(statusFromPusherState(client.connection.state));
    }
    return pusher;
  };

  const registry = createChannelRegistry((name) => {
    const client = ensurePusher();
    const channel = client.subscribe(name);
    missed.set(name, status === "offline");
    const handler: Handler = (data) => onSignal(name, data);
    const onSubscribed: Handler = () => {
      onConfirmed?.(name);
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
      onRelease?.(name);
    };
  });

  return {
    join: (name) => registry.join(name),
    channels: () => registry.names(),
    channelCounts: () => Object.fromEntries(registry.names().map((name) => [name, registry.count(name)])),
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
      clearTimeout(signinRetry);
      if (pusher) {
        pusher.user?.unbind("pusher:signin_error", onSigninError);
        pusher.connection.unbind("state_change", onStateChange);
        pusher.connection.unbind("connecting_in", onConnectingIn);
        pusher.connection.unbind("message", onMessage);
        pusher.disconnect();
        pusher = null;
      }
      setStatus("disabled");
      listeners.clear();
    },
  };
}
