/**
 * connected: live. connecting: first connect or a reconnect in progress. offline: the broker is unreachable
 * (pusher-js "unavailable", "failed", "disconnected"), so signals are being missed. disabled: no live updates in
 * this tab, because realtime is not configured or nothing has subscribed to a channel yet.
 */
export type RealtimeStatus = "connected" | "connecting" | "offline" | "disabled";

export function statusFromPusherState(state: string): RealtimeStatus {
  switch (state) {
    case "connected":
      return "connected";
    case "initialized":
    case "connecting":
      return "connecting";
    default:
      return "offline";
  }
}
