"use client";

import { createContext, useCallback, useContext, useEffect, useMemo, useSyncExternalStore } from "react";
import { hashKey, type QueryClient, type QueryKey } from "@tanstack/react-query";
import type { AnyScopeRegistry } from "../scopes";
import type { Signal } from "../signal";
import type { RealtimeConnection, RealtimeStatus } from "./connection";
import type { RealtimeLog, RealtimeLogEntry } from "./log";

export type RealtimeContextValue = {
  /** Null until the provider's effect has run (server render, first paint). */
  connection: RealtimeConnection | null;
  /** The signed-in user's private channel, or null for a visitor. */
  userChannel: string | null;
  configured: boolean;
  /** The provider's log (development inspector), or null when nothing is recorded. */
  log: RealtimeLog | null;
  /** Refreshes every joined channel's scopes now, as after a reconnect (recorded as a "manual" resync). */
  resyncAll: () => void;
  /** Counts the versions the tab's own action published as heard (RealtimeClient.heard). */
  heard: (versions: readonly (readonly [string, number])[]) => void;
};

export const RealtimeContext = createContext<RealtimeContextValue | null>(null);

const noop = () => {};

/** Joins a channel for as long as the calling component is mounted (null: join nothing). Ref-counted per tab. */
export function useRealtimeChannel(channel: string | null): void {
  const connection = useContext(RealtimeContext)?.connection ?? null;
  useEffect(() => {
    if (!connection || !channel) return;
    return connection.join(channel);
  }, [connection, channel]);
}

export function useRealtimeStatus(): RealtimeStatus {
  const ctx = useContext(RealtimeContext);
  const connection = ctx?.connection ?? null;
  // A signed-in tab joins its user channel as soon as the connection exists: until then (server render, first
  // effects, the moment before the join) it is about to connect, not "disabled".
  const pending: RealtimeStatus = ctx?.configured && ctx.userChannel ? "connecting" : "disabled";
  const subscribe = useCallback((listener: () => void) => connection?.onStatusChange(listener) ?? noop, [connection]);
  const read = () => {
    const status = connection?.getStatus() ?? pending;
    return status === "disabled" ? pending : status;
  };
  return useSyncExternalStore(subscribe, read, () => pending);
}

/** The tab's connection, e.g. for its socketId(); null outside a provider or before it mounted. */
export function useRealtimeConnection(): RealtimeConnection | null {
  return useContext(RealtimeContext)?.connection ?? null;
}

/**
 * The writer's own tab: a server action returns the signals it published (its broker signal skips this tab), and
 * they refresh exactly the keys the registry maps them to, as on every other tab. Resolves once the refetches of
 * the active queries finished, so a mutation that awaits it shows the fresh data when it settles. Not coalesced:
 * the user is waiting for exactly this.
 */
export async function applySignals(queryClient: QueryClient, scopes: AnyScopeRegistry, signals: readonly Signal[] | undefined): Promise<void> {
  const keys = new Map<string, QueryKey>();
  for (const signal of signals ?? []) for (const key of scopes.keys(signal) ?? []) keys.set(hashKey(key), key);
  await Promise.all([...keys.values()].map((queryKey) => queryClient.invalidateQueries({ queryKey })));
}

const NO_ENTRIES: readonly RealtimeLogEntry[] = [];
const noEntries = () => NO_ENTRIES;

/**
 * The provider's realtime log, newest first (at most 100 entries), re-rendering on each new entry; empty, with no
 * subscription at all, when the provider has no log (production). For an inspector: mount it only while shown.
 */
export function useRealtimeLog(): readonly RealtimeLogEntry[] {
  const log = useContext(RealtimeContext)?.log ?? null;
  const subscribe = useCallback((listener: () => void) => log?.subscribe(listener) ?? noop, [log]);
  return useSyncExternalStore(subscribe, log ? log.entries : noEntries, noEntries);
}

/** Whether the provider records a realtime log (an inspector is available in this build). */
export function useRealtimeLogEnabled(): boolean {
  return (useContext(RealtimeContext)?.log ?? null) !== null;
}

/**
 * For the writer's own tab, next to applySignals: the channel versions its action's result carries (`versions`),
 * counted as heard, so the tab's next signal on those channels is no false gap. A no-op outside a provider.
 */
export function useRealtimeHeard(): (versions: readonly (readonly [string, number])[] | undefined) => void {
  const heard = useContext(RealtimeContext)?.heard ?? noop;
  return useCallback((versions) => heard(versions ?? []), [heard]);
}

/** Resyncs every channel the tab holds now (the inspector's "Resync now"); a no-op outside a provider. */
export function useRealtimeResync(): () => void {
  return useContext(RealtimeContext)?.resyncAll ?? noop;
}

const NO_COUNTS: Readonly<Record<string, number>> = {};

/**
 * The channels the tab holds and how many joins each has, read every `intervalMs` while the caller is mounted
 * (joins do not notify: this is for an inspector, not for the app's own logic).
 */
export function useRealtimeChannelCounts(intervalMs = 500): Readonly<Record<string, number>> {
  const connection = useContext(RealtimeContext)?.connection ?? null;
  const store = useMemo(() => channelCountsStore(connection, intervalMs), [connection, intervalMs]);
  return useSyncExternalStore(store.subscribe, store.read, () => NO_COUNTS);
}

/** A polled external store of connection.channelCounts(), the same object while the counts stay the same. */
function channelCountsStore(connection: RealtimeConnection | null, intervalMs: number) {
  let cached: { text: string; value: Readonly<Record<string, number>> } = { text: "{}", value: NO_COUNTS };
  return {
    subscribe(listener: () => void) {
      const timer = setInterval(listener, intervalMs);
      return () => clearInterval(timer);
    },
    read() {
      const value = connection?.channelCounts() ?? NO_COUNTS;
      const text = JSON.stringify(value);
      if (text !== cached.text) cached = { text, value };
      return cached.value;
    },
  };
}
