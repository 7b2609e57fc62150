/**
 * One tab's link to the broker, in two implementations: pusher-backed (pusher-connection.ts) and disabled (realtime
 * off, below: a complete, inert connection, so nothing else needs an "is it configured?" check).
 */

/**
 * connected: live. connecting: the tab's first connection is being made. offline: the connection was lost (or
 * never came up: pusher-js "unavailable", "failed"), signals are being missed, and the tab falls back to polling
 * while it reconnects with back-off. disabled: no live updates in this tab, because realtime is not configured or
 * nothing has subscribed to a channel yet.
 */
export type RealtimeStatus = "connected" | "connecting" | "offline" | "disabled";

/**
 * `everConnected`: a reconnect is not "connecting" for the user; whatever the broker said while the tab was away is
 * lost, so it is "offline" until the connection is back.
 */
export function statusFromPusherState(state: string, everConnected = false): RealtimeStatus {
  switch (state) {
    case "connected":
      return "connected";
    case "initialized":
    case "connecting":
      return everConnected ? "offline" : "connecting";
    default:
      return "offline";
  }
}

/** What the provider and hooks hold; callers never branch on which implementation it is. */
export interface RealtimeConnection {
  /** Ref-counted: the channel is subscribed while at least one join is open. The returned leave is idempotent. */
  join(channel: string): () => void;
  /** Names of the channels currently joined (for resync after a reconnect). */
  channels(): string[];
  /** How many open joins each joined channel has (the realtime inspector shows them). */
  channelCounts(): Record<string, number>;
  getStatus(): RealtimeStatus;
  /** For useSyncExternalStore. */
  onStatusChange(listener: () => void): () => void;
  /** The broker's id for this connection, so a server action can exclude it from its own signal. */
  socketId(): string | null;
  /** Unsubscribes everything and closes the socket; joins afterwards are no-ops. */
  destroy(): void;
}

const noop = () => {};

/** Realtime off: a complete, inert connection, so nothing else needs an "is it configured?" check. */
export function createDisabledConnection(): RealtimeConnection {
  return {
    join: () => noop,
    channels: () => [],
    channelCounts: () => ({}),
    getStatus: () => "disabled",
    onStatusChange: () => noop,
    socketId: () => null,
    destroy: noop,
  };
}

export function warnInDevelopment(message: string, detail?: unknown): void {
  if (process.env.NODE_ENV === "development") console.warn(`[realtime] ${message}`, detail ?? "");
}
