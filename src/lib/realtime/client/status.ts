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
