"use client";

import { createContext, useCallback, useContext, useEffect, useSyncExternalStore } from "react";
import { hashKey, type QueryClient, type QueryKey } from "@tanstack/react-query";
import type { AnyScopeRegistry } from "../scopes";
import type { Signal } from "../signal";
import type { RealtimeConnection, RealtimeStatus } from "./connection";

export type RealtimeContextValue = {
  /** Null until the provider's effect has run (server render, first paint). */
  connection: RealtimeConnection | null;
  /** The signed-in user's private channel, or null for a visitor. */
  userChannel: string | null;
  configured: boolean;
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
