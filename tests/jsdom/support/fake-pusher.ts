import type { PusherFactory, PusherLike, RealtimeClientConfig } from "@/lib/realtime/client";

type Handler = (data: unknown) => void;

/**
 * A pusher-js stand-in for the provider's `createPusher` seam: records subscribe/unsubscribe calls and lets a test
 * deliver events on a channel as the broker would, and move the connection through pusher-js's states (a drop, a
 * reconnect with its re-subscriptions). Connected from the start unless told otherwise. Everything is synchronous:
 * once emit() returns, the provider has handled the event.
 */
export function createFakePusher({ state: initialState = "connected" }: { state?: string } = {}) {
  const handlers = new Map<string, Map<string, Set<Handler>>>();
  const connectionHandlers = new Map<string, Set<Handler>>();
  const log: string[] = [];
  const connection: PusherLike["connection"] = {
    state: initialState,
    socket_id: "1.1",
    bind(event, cb) {
      const set = connectionHandlers.get(event) ?? new Set<Handler>();
      connectionHandlers.set(event, set);
      set.add(cb);
    },
    unbind(event, cb) {
      if (event && cb) connectionHandlers.get(event)?.delete(cb);
      else if (event) connectionHandlers.delete(event);
      else connectionHandlers.clear();
    },
  };
  const pusher: PusherLike = {
    subscribe(channel) {
      log.push(`subscribe ${channel}`);
      const events = handlers.get(channel) ?? new Map<string, Set<Handler>>();
      handlers.set(channel, events);
      return {
        bind(event, cb) {
          const set = events.get(event) ?? new Set<Handler>();
          events.set(event, set);
          set.add(cb);
        },
        unbind(event, cb) {
          if (event && cb) events.get(event)?.delete(cb);
          else if (event) events.delete(event);
          else events.clear();
        },
      };
    },
    unsubscribe(channel) {
      log.push(`unsubscribe ${channel}`);
      handlers.delete(channel);
    },
    disconnect() {
      log.push("disconnect");
    },
    connection,
  };
  const factory: PusherFactory = () => pusher;

  const emit = (channel: string, event: string, data: unknown) => {
    for (const cb of [...(handlers.get(channel)?.get(event) ?? [])]) cb(data);
  };
  const setState = (current: string) => {
    const previous = connection.state;
    connection.state = current;
    for (const cb of [...(connectionHandlers.get("state_change") ?? [])]) cb({ previous, current });
  };

  return {
    factory,
    log,
    /** Channels with at least one handler bound right now. */
    subscribed: () => [...handlers.keys()],
    emit,
    /** pusher-js's connection state moves (its `state_change` event). */
    setState,
    /** The socket is lost: pusher-js reports "unavailable" (the tab goes offline and starts its fallback poll). */
    drop: () => setState("unavailable"),
    /** The socket is back: "connected", then pusher-js re-subscribes every channel and each one succeeds. */
    reconnect() {
      setState("connected");
      for (const channel of [...handlers.keys()]) emit(channel, "pusher:subscription_succeeded", {});
    },
  };
}

export type FakePusher = ReturnType<typeof createFakePusher>;

export const FAKE_CONFIG: RealtimeClientConfig = {
  key: "fake",
  wsHost: "127.0.0.1",
  wsPort: 1,
  forceTLS: false,
  cluster: "mt1",
  authEndpoint: "/api/realtime/auth",
  signinEndpoint: "/api/realtime/signin",
};
