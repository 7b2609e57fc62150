"use client";

import { useRealtimeStatus, type RealtimeStatus } from "@/lib/realtime/client";
import { INSPECTOR_SHORTCUT, toggleRealtimeInspector, useRealtimeInspectorOpen } from "./inspector-gate";

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

/**
 * A small dot and word in the navbar; nothing at all when this tab has no live updates (realtime off, no channel).
 * In a build with the realtime inspector (development, or NEXT_PUBLIC_REALTIME_INSPECTOR=1) it is also the button
 * that opens it.
 */
export function RealtimeStatusIndicator() {
  const status = useRealtimeStatus();
  if (status === "disabled") return null;
  const look = LOOK[status];
  const indicator = (
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
  // Spelled out (not INSPECTOR_ENABLED) so the bundler folds it here and drops the toggle from a build without it.
  return process.env.NODE_ENV === "development" || process.env.NEXT_PUBLIC_REALTIME_INSPECTOR === "1" ? (
    <InspectorToggle>{indicator}</InspectorToggle>
  ) : (
    indicator
  );
}

function InspectorToggle({ children }: { children: React.ReactNode }) {
  const open = useRealtimeInspectorOpen();
  return (
    <button
      type="button"
      data-testid="realtime-inspector-toggle"
      aria-expanded={open}
      title={`Realtime inspector (${INSPECTOR_SHORTCUT})`}
      onClick={toggleRealtimeInspector}
      className="rounded px-1 hover:bg-slate-100"
    >
      {children}
    </button>
  );
}
