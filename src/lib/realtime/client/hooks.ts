"use client";

import { useCallback, useContext, useEffect, useSyncExternalStore } from "react";
import type { RootResourceType } from "@/lib/resource-types";
import { resourceChannel, userChannel } from "../channels";
import type { RealtimeConnection } from "./connection";
import { RealtimeContext } from "./context";
import type { RealtimeStatus } from "./status";

const noop = () => {};

/** Joins a channel for as long as the calling component is mounted (null: join nothing). */
export function useRealtimeChannel(channel: string | null): void {
  const connection = useContext(RealtimeContext)?.connection ?? null;
  useEffect(() => {
    if (!connection || !channel) return;
    return connection.join(channel);
  }, [connection, channel]);
}

/** The signed-in user's private channel (notifications, dashboard, bookmarks, own gists, sessions). */
export function useUserChannel(): void {
  const userId = useContext(RealtimeContext)?.userId ?? null;
  useRealtimeChannel(userId ? userChannel(userId) : null);
}

/** A readable article's or gist's channel; the auth route decides who may join it. */
export function useResourceChannel(type: RootResourceType, id: string | null | undefined): void {
  useRealtimeChannel(id ? resourceChannel(type, id) : null);
}

export function useRealtimeStatus(): RealtimeStatus {
  const ctx = useContext(RealtimeContext);
  const connection = ctx?.connection ?? null;
  // A signed-in tab joins its user channel as soon as the connection exists: until then (server render, first
  // effects, the moment before the join) it is about to connect, not "disabled".
  const pending: RealtimeStatus = ctx?.configured && ctx.userId ? "connecting" : "disabled";
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
