"use client";

import { useEffect, useSyncExternalStore } from "react";
import dynamic from "next/dynamic";
import { createRealtimeLog } from "@/lib/realtime/client";

/**
 * The realtime inspector's switchboard: whether this build has it, whether it is open, its keyboard shortcut, and
 * the lazy mount. The inspector (./RealtimeInspector) and TanStack Query Devtools are loaded with a dynamic import
 * behind build-time constants, written out in full at each import so the bundler drops the import itself from a
 * build without them: a production build contains neither unless NEXT_PUBLIC_REALTIME_INSPECTOR=1 (only the
 * browser-test build sets it), and the Devtools only ever load under `next dev`. The bundler folds the flag only
 * when it is defined at build time: next.config.ts must define it ("" when unset), or an undefined
 * NEXT_PUBLIC_REALTIME_INSPECTOR is read at run time and the inspector's chunk stays in the build (unused).
 */
export const INSPECTOR_ENABLED = process.env.NODE_ENV === "development" || process.env.NEXT_PUBLIC_REALTIME_INSPECTOR === "1";

/** The tab's realtime log (signals, resyncs, status), recorded only when the inspector is in the build. */
export const realtimeLog = INSPECTOR_ENABLED ? createRealtimeLog() : null;

/** Alt+R (Option+R on a Mac): not reserved by Chrome, Firefox or Safari. */
export const INSPECTOR_SHORTCUT = "Alt+R";

const LazyInspector =
  process.env.NODE_ENV === "development" || process.env.NEXT_PUBLIC_REALTIME_INSPECTOR === "1"
    ? dynamic(() => import("./RealtimeInspector").then((m) => m.RealtimeInspector), { ssr: false })
    : null;

const LazyDevtools =
  process.env.NODE_ENV === "development"
    ? dynamic(() => import("@tanstack/react-query-devtools").then((m) => m.ReactQueryDevtools), { ssr: false })
    : null;

let open = false;
const listeners = new Set<() => void>();

export function setRealtimeInspectorOpen(next: boolean): void {
  if (!INSPECTOR_ENABLED || next === open) return;
  open = next;
  for (const listener of [...listeners]) listener();
}

export function toggleRealtimeInspector(): void {
  setRealtimeInspectorOpen(!open);
}

const subscribe = (listener: () => void) => {
  listeners.add(listener);
  return () => void listeners.delete(listener);
};

export function useRealtimeInspectorOpen(): boolean {
  return useSyncExternalStore(
    subscribe,
    () => open,
    () => false,
  );
}

function isEditable(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
}

/** Alt+R anywhere but in a text field toggles the inspector (event.code: Option+R on a Mac types "®"). */
function useInspectorShortcut() {
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.code !== "KeyR" || !event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
      if (isEditable(event.target)) return;
      event.preventDefault();
      toggleRealtimeInspector();
    };
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, []);
}

function InspectorMount() {
  useInspectorShortcut();
  const isOpen = useRealtimeInspectorOpen();
  return (
    <>
      {isOpen && LazyInspector ? <LazyInspector onClose={() => setRealtimeInspectorOpen(false)} /> : null}
      {LazyDevtools ? <LazyDevtools initialIsOpen={false} buttonPosition="bottom-left" /> : null}
    </>
  );
}

/** Mounted once inside the realtime provider; renders nothing (and registers no shortcut) without the inspector. */
export function RealtimeInspectorMount() {
  return process.env.NODE_ENV === "development" || process.env.NEXT_PUBLIC_REALTIME_INSPECTOR === "1" ? <InspectorMount /> : null;
}
