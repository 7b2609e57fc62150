import type { RealtimeStatus } from "./status";

/**
 * One tab's link to the broker, in two implementations: pusher-backed and disabled (realtime off). Callers never
 * branch on which one they hold.
 */
export interface RealtimeConnection {
  /** Ref-counted: the channel is subscribed while at least one join is open. The returned leave is idempotent. */
  join(channel: string): () => void;
  /** Names of the channels currently joined (for resync after a reconnect). */
  channels(): string[];
  getStatus(): RealtimeStatus;
  /** For useSyncExternalStore. */
  onStatusChange(listener: () => void): () => void;
  /** The broker's id for this connection, so a server action can exclude it from its own signal. */
  socketId(): string | null;
  /** Unsubscribes everything and closes the socket; joins afterwards are no-ops. */
  destroy(): void;
}
