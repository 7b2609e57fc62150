import Pusher, { type Options as PusherOptions } from "pusher-js";
import type { RealtimeClientConfig } from "../client-config";
import { INVALIDATE_EVENT } from "../signal";
import { createChannelRegistry } from "./channel-registry";
import type { RealtimeConnection } from "./connection";
import { warnInDevelopment } from "./dispatch";
import { statusFromPusherState, type RealtimeStatus } from "./status";

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

export const AUTH_ENDPOINT = "/api/realtime/auth";

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
    channelAuthorization: { endpoint: AUTH_ENDPOINT, transport: "ajax" },
  };
}

const defaultFactory: PusherFactory = (key, options) => new Pusher(key, options);

type Options = {
  config: RealtimeClientConfig;
  /** Every event named `invalidate` on a joined channel. */
  onSignal: (channel: string, data: unknown) => void;
  createPusher?: PusherFactory;
};

/**
 * The pusher-js backed connection. The socket opens on the first join (a page with no live data costs nothing)
 * and stays until destroy(); each joined channel binds its handler once, however many components use it.
 */
export function createPusherConnection({ config, onSignal, createPusher = defaultFactory }: Options): RealtimeConnection {
  let pusher: PusherLike | null = null;
  let destroyed = false;
  let status: RealtimeStatus = "disabled";
  const listeners = new Set<() => void>();

  const setStatus = (next: RealtimeStatus) => {
    if (next === status) return;
    status = next;
    for (const listener of [...listeners]) listener();
  };
  const onStateChange: Handler = (change) => setStatus(statusFromPusherState((change as { current: string }).current));

  const ensurePusher = () => {
    if (!pusher) {
      pusher = createPusher(config.key, pusherOptions(config));
      pusher.connection.bind("state_change", onStateChange);
      setStatus(statusFromPusherState(pusher.connection.state));
    }
    return pusher;
  };

  const registry = createChannelRegistry((name) => {
    const client = ensurePusher();
    const channel = client.subscribe(name);
    const handler: Handler = (data) => onSignal(name, data);
    const onError: Handler = (error) => warnInDevelopment(`subscription to ${name} was refused`, error);
    channel.bind(INVALIDATE_EVENT, handler);
    channel.bind("pusher:subscription_error", onError);
    return () => {
      channel.unbind(INVALIDATE_EVENT, handler);
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
    socketId: () => pusher?.connection.socket_id ?? null,
    destroy() {
      if (destroyed) return;
      destroyed = true;
      registry.close();
      if (pusher) {
        pusher.connection.unbind("state_change", onStateChange);
        pusher.disconnect();
        pusher = null;
      }
      setStatus("disabled");
      listeners.clear();
    },
  };
}
