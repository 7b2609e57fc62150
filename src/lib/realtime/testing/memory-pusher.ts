import { INVALIDATE_EVENT } from "../signal";
import type { PusherFactory, PusherLike, RealtimeClientConfig } from "../client/pusher-connection";

type Handler = (data: unknown) => void;

/**
 * An in-memory pusher-js stand-in for RealtimeProvider's `createPusher` seam: one tab's connection to a broker that
 * lives in the test. It records subscribe/unsubscribe calls, delivers events on a channel as the broker would, and
 * moves the connection through pusher-js's states (a drop, a reconnect with its re-subscriptions). Connected from
 * the start unless told otherwise. Everything is synchronous: once a delivery returns, the provider has handled it
 * (the refetches it started may still be running; createRealtimeTestKit's emit waits for those).
 *
 * The factory hands out the same object every time (the provider asks again after a rebuild or StrictMode's second
 * effect), and disconnect() only records the call, so a rebuilt connection finds it in the state the test set.
 */
export function createMemoryPusher({ state: initialState = "connected", socketId = "1.1" }: { state?: string; socketId?: string } = {}) {
  const handlers = new Map<string, Map<string, Set<Handler>>>();
  const connectionHandlers = new Map<string, Set<Handler>>();
  const log: string[] = [];
  const connection: PusherLike["connection"] = {
    state: initialState,
    socket_id: socketId,
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

  /** Any event on a channel's bound handlers, whatever the connection's state (protocol events included). */
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
    /** `subscribe <channel>`, `unsubscribe <channel>`, `disconnect`, in call order. */
    log,
    /** Channels subscribed right now. */
    subscribed: () => [...handlers.keys()],
    emit,
    /**
     * As the broker delivers: an `invalidate` event (or `event`) reaches the channel only while the connection is
     * "connected" and the channel subscribed. Returns whether it was delivered.
     */
    deliver(channel: string, data: unknown, event: string = INVALIDATE_EVENT): boolean {
      if (connection.state !== "connected" || !handlers.has(channel)) return false;
      emit(channel, event, data);
      return true;
    },
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

export type MemoryPusher = ReturnType<typeof createMemoryPusher>;

/** A complete client config for the provider; the memory pusher ignores every field. */
export const MEMORY_CONFIG: RealtimeClientConfig = {
  key: "memory",
  wsHost: "127.0.0.1",
  wsPort: 1,
  forceTLS: false,
  cluster: "mt1",
  authEndpoint: "/api/realtime/auth",
  signinEndpoint: "/api/realtime/signin",
};
