"use client";

import { useRealtimeStatus, type RealtimeStatus } from "@/lib/realtime/client";

const LOOK: Record<Exclude<RealtimeStatus, "disabled">, { label: string; title: string; dot: string; text: string }> = {
  connected: { label: "Live", title: "Live updates are on", dot: "bg-emerald-500", text: "text-slate-500" },
  connecting: { label: "Connecting", title: "Connecting for live updates", dot: "bg-slate-300", text: "text-slate-400" },
  offline: {
    label: "Offline",
    title: "Live updates are paused; the page refreshes now and then until they are back",
    dot: "bg-amber-500",
    text: "text-amber-700",
  },
};

/** A small dot and word in the navbar; nothing at all when this tab has no live updates (realtime off, no channel). */
export function RealtimeStatusIndicator() {
  const status = useRealtimeStatus();
  if (status === "disabled") return null;
  const look = LOOK[status];
  return (
    <span
      data-testid="realtime-status"
      data-status={status}
      role="status"
      title={look.title}
      className={`inline-flex items-center gap-1 text-xs font-medium ${look.text}`}
    >
      <span aria-hidden="true" className={`inline-block h-2 w-2 rounded-full ${look.dot}`} />
      {look.label}
    </span>
  );
}
