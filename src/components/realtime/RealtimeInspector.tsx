"use client";

import type { QueryKey } from "@tanstack/react-query";
import {
  useRealtimeChannelCounts,
  useRealtimeConnection,
  useRealtimeLog,
  useRealtimeResync,
  useRealtimeStatus,
  type RealtimeLogEntry,
  type ResyncCause,
} from "@/lib/realtime/client";
import { INSPECTOR_SHORTCUT, realtimeLog } from "./inspector-gate";

/**
 * The development realtime inspector: the connection, the channels this tab holds (with how many components hold
 * each), and the last 100 entries of the realtime log, newest first. Loaded lazily by inspector-gate.tsx, only in
 * builds that have it; see README "Inspecting signals in development".
 */

/** Resyncs that repaired a lost signal (client/versions.ts), said in words: the dev status of gap detection. */
const REPAIRED: Partial<Record<ResyncCause, string>> = {
  gap: "Gap detected: a signal on this channel was lost (its version skipped); the channel was refreshed.",
  "version-check": "Gap detected by the version check: this channel moved without a signal; it was refreshed.",
};

const FATE_STYLE: Record<string, string> = {
  applied: "bg-emerald-100 text-emerald-800",
  coalesced: "bg-sky-100 text-sky-800",
  ignored: "bg-amber-100 text-amber-800",
  resync: "bg-violet-100 text-violet-800",
  status: "bg-slate-200 text-slate-700",
};

function time(at: number): string {
  const d = new Date(at);
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

const keyText = (key: QueryKey) => JSON.stringify(key);

function Keys({ keys }: { keys: readonly QueryKey[] }) {
  if (keys.length === 0) return null;
  return (
    <ul className="mt-0.5 space-y-0.5" data-testid="inspector-entry-keys">
      {keys.map((key) => (
        <li key={keyText(key)} className="break-all font-mono text-[11px] text-slate-600">
          {keyText(key)}
        </li>
      ))}
    </ul>
  );
}

function Entry({ entry }: { entry: RealtimeLogEntry }) {
  const fate = entry.kind === "signal" ? entry.fate : entry.kind;
  return (
    <li
      data-testid="inspector-entry"
      data-kind={entry.kind}
      data-fate={fate}
      data-channel={entry.kind === "status" ? undefined : entry.channel}
      data-scope={entry.kind === "signal" ? entry.scope : undefined}
      className="border-b border-slate-100 px-3 py-1.5 last:border-b-0"
    >
      <div className="flex flex-wrap items-baseline gap-x-2 gap-y-0.5">
        <span className="font-mono text-[11px] text-slate-400">{time(entry.at)}</span>
        <span className={`rounded px-1.5 py-px text-[10px] font-semibold uppercase ${FATE_STYLE[fate]}`}>{fate}</span>
        {entry.kind === "signal" ? (
          <>
            <span className="font-semibold text-slate-800">{entry.scope ?? "(no scope)"}</span>
            {entry.version !== undefined ? <span className="font-mono text-[11px] text-slate-500">v{entry.version}</span> : null}
            <span className="break-all font-mono text-[11px] text-slate-500">{entry.channel}</span>
          </>
        ) : entry.kind === "resync" ? (
          <>
            <span className="font-semibold text-slate-800">{entry.cause}</span>
            <span className="break-all font-mono text-[11px] text-slate-500">{entry.channel}</span>
          </>
        ) : (
          <span className="text-slate-700">
            {entry.status}
            {entry.socketId ? <span className="ml-1 font-mono text-[11px] text-slate-500">socket {entry.socketId}</span> : null}
          </span>
        )}
      </div>
      {entry.kind === "signal" && entry.ids ? (
        <div className="break-all font-mono text-[11px] text-slate-500">ids {JSON.stringify(entry.ids)}</div>
      ) : null}
      {entry.kind === "resync" && REPAIRED[entry.cause] ? (
        <div data-testid="realtime-gap-repaired" className="text-[11px] text-violet-700">
          {REPAIRED[entry.cause]}
        </div>
      ) : null}
      {entry.kind === "signal" && entry.reason ? <div className="text-[11px] text-amber-700">{entry.reason}</div> : null}
      {entry.kind === "signal" && entry.fate === "applied" && entry.coalescedKeys > 0 ? (
        <div className="text-[11px] text-sky-700">{entry.coalescedKeys} of its keys merged into a pending refetch</div>
      ) : null}
      {entry.kind !== "status" ? <Keys keys={entry.keys} /> : null}
    </li>
  );
}

export function RealtimeInspector({ onClose }: { onClose: () => void }) {
  const status = useRealtimeStatus();
  const socketId = useRealtimeConnection()?.socketId() ?? null;
  const channels = Object.entries(useRealtimeChannelCounts()).sort(([a], [b]) => a.localeCompare(b));
  const entries = useRealtimeLog();
  const resync = useRealtimeResync();

  return (
    <section
      role="dialog"
      aria-label="Realtime inspector"
      data-testid="realtime-inspector"
      className="fixed right-3 bottom-3 z-50 flex max-h-[75vh] w-[min(36rem,calc(100vw-1.5rem))] flex-col overflow-hidden rounded-lg border border-slate-300 bg-white text-xs shadow-xl"
    >
      <header className="flex items-center gap-2 border-b border-slate-200 bg-slate-50 px-3 py-2">
        <h2 className="text-sm font-semibold text-slate-900">Realtime inspector</h2>
        <span className="text-[11px] text-slate-400">{INSPECTOR_SHORTCUT} toggles</span>
        <div className="ml-auto flex gap-1.5">
          <button
            type="button"
            onClick={resync}
            className="rounded border border-violet-300 bg-violet-50 px-2 py-0.5 font-medium text-violet-800 hover:bg-violet-100"
          >
            Resync now
          </button>
          <button type="button" onClick={() => realtimeLog?.clear()} className="rounded border border-slate-300 px-2 py-0.5 text-slate-700 hover:bg-slate-100">
            Clear
          </button>
          <button type="button" onClick={onClose} aria-label="Close the realtime inspector" className="rounded px-1.5 text-slate-500 hover:bg-slate-200">
            ×
          </button>
        </div>
      </header>

      <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-0.5 border-b border-slate-200 px-3 py-2">
        <dt className="text-slate-500">Connection</dt>
        <dd data-testid="inspector-status" className="font-medium text-slate-800">
          {status}
        </dd>
        <dt className="text-slate-500">Socket id</dt>
        <dd data-testid="inspector-socket-id" className="font-mono text-slate-800">
          {socketId ?? "—"}
        </dd>
        <dt className="text-slate-500">Held channels</dt>
        <dd>
          {channels.length === 0 ? (
            <span className="text-slate-400">none</span>
          ) : (
            <ul data-testid="inspector-channels">
              {channels.map(([name, holders]) => (
                <li key={name} data-channel={name} data-holders={holders} className="font-mono text-[11px] text-slate-700">
                  {name} <span className="text-slate-400">× {holders}</span>
                </li>
              ))}
            </ul>
          )}
        </dd>
      </dl>

      <div className="flex items-baseline justify-between px-3 pt-2 pb-1">
        <h3 className="font-semibold text-slate-700">Signals, newest first</h3>
        <span className="text-[11px] text-slate-400">{entries.length} / 100</span>
      </div>
      <ol data-testid="inspector-log" className="min-h-0 flex-1 overflow-y-auto">
        {entries.length === 0 ? <li className="px-3 py-2 text-slate-400">Nothing yet.</li> : null}
        {entries.map((entry) => (
          <Entry key={entry.seq} entry={entry} />
        ))}
      </ol>
    </section>
  );
}
