import type { PusherFactory, PusherLike } from "@/lib/realtime/client";

type Handler = (data: unknown) => void;

/**
 * A pusher-js stand-in for the RealtimeProvider's `createPusher` seam: records subscribe/unsubscribe calls and lets
 * a test deliver events on a channel as the broker would. Connected from the start.
 */
export function createFakePusher() {
  const handlers = new Map<string, Map<string, Set<Handler>>>();
  const log: string[] = [];
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
    connection: { state: "connected", socket_id: "1.1", bind() {}, unbind() {} },
  };
  const factory: PusherFactory = () => pusher;
  return {
    factory,
    log,
    /** Channels with at least one handler bound right now. */
    subscribed: () => [...handlers.keys()],
    emit(channel: string, event: string, data: unknown) {
      for (const cb of [...(handlers.get(channel)?.get(event) ?? [])]) cb(data);
    },
  };
}

export const FAKE_CONFIG = { key: "fake", wsHost: "127.0.0.1", wsPort: 1, forceTLS: false, cluster: "mt1" };
