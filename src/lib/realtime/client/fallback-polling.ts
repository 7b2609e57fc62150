import type { RealtimeConnection } from "./connection";

/** Every 30 s while not connected: a safety net, not a substitute for the broker. */
export const POLL_INTERVAL_MS = 30_000;

/**
 * While the connection is not live (first connect under way, or lost), refreshes the tab's subscribed scopes
 * (`refresh` walks the channels joined at that moment) every `intervalMs`, and at once when the window regains
 * focus or the network comes back, the moments a user looks for fresh data. Stops as soon as the connection is
 * live again (its resync takes over). Returns stop.
 */
export function startFallbackPolling(connection: RealtimeConnection, refresh: () => void, intervalMs = POLL_INTERVAL_MS): () => void {
  let timer: ReturnType<typeof setInterval> | null = null;
  const polling = () => {
    const status = connection.getStatus();
    return status === "offline" || status === "connecting";
  };
  // A hidden tab waits: it refreshes the moment it is shown again (visibilitychange), as Replicache does.
  const visible = () => typeof document === "undefined" || document.visibilityState !== "hidden";
  const onWake = () => {
    if (polling() && visible()) refresh();
  };
  const update = () => {
    const should = polling();
    if (should && !timer) timer = setInterval(() => visible() && refresh(), intervalMs);
    if (!should && timer) {
      clearInterval(timer);
      timer = null;
    }
  };

  const unsubscribe = connection.onStatusChange(update);
  update();
  const target = typeof window === "undefined" ? null : window;
  target?.addEventListener("focus", onWake);
  target?.addEventListener("online", onWake);
  if (typeof document !== "undefined") document.addEventListener("visibilitychange", onWake);
  return () => {
    unsubscribe();
    if (timer) clearInterval(timer);
    timer = null;
    target?.removeEventListener("focus", onWake);
    target?.removeEventListener("online", onWake);
    if (typeof document !== "undefined") document.removeEventListener("visibilitychange", onWake);
  };
}
