"use client";

import { useEffect, useMemo, useState, type ReactNode } from "react";
import { useQueryClient } from "@tanstack/react-query";
import type { RealtimeClientConfig } from "../client-config";
import type { RealtimeConnection } from "./connection";
import { RealtimeContext } from "./context";
import { createDisabledConnection } from "./disabled-connection";
import { keysForResync, keysForSignal, warnInDevelopment } from "./dispatch";
import { POLL_INTERVAL_MS, startFallbackPolling } from "./fallback-polling";
import { useUserChannel } from "./hooks";
import { createCoalescingInvalidator, type InvalidatorFactory } from "./invalidator";
import { createPusherConnection, type PusherFactory } from "./pusher-connection";
import { RECONNECT_POLICY, type ReconnectPolicy } from "./reconnect-policy";
import { installSocketIdHeader } from "./socket-id-header";

export type RealtimeProviderProps = {
  /** From realtimeClientConfig() on the server; null means realtime is off. */
  config: RealtimeClientConfig | null;
  /** The signed-in user (their private channel is joined automatically), or null. */
  userId: string | null;
  children?: ReactNode;
  /** Refetch policy; must be a stable (module-level) function. Defaults to coalescing (coalescer.ts). */
  createInvalidator?: InvalidatorFactory;
  /** pusher-js constructor seam for tests; must be a stable function. */
  createPusher?: PusherFactory;
  /** How often subscribed scopes are refreshed while the connection is not live. */
  pollIntervalMs?: number;
  /** Reconnect back-off; must be stable (module-level). */
  reconnectPolicy?: ReconnectPolicy;
};

function UserChannel() {
  useUserChannel();
  return null;
}

/**
 * Owns the tab's one broker connection. It is rebuilt when the user changes (sign-in, sign-out, switch), because
 * private channel authorizations belong to the old session; components then rejoin on the new connection.
 * Everything that reaches the query cache (signals, resyncs after a reconnect, fallback polls) goes through the
 * one invalidator, so they coalesce with each other.
 */
export function RealtimeProvider({
  config,
  userId,
  children,
  createInvalidator = createCoalescingInvalidator,
  createPusher,
  pollIntervalMs = POLL_INTERVAL_MS,
  reconnectPolicy = RECONNECT_POLICY,
}: RealtimeProviderProps) {
  const queryClient = useQueryClient();
  const [connection, setConnection] = useState<RealtimeConnection | null>(null);
  // Primitives, not the object: a server re-render hands over an equal but new config.
  const key = config?.key;
  const wsHost = config?.wsHost;
  const wsPort = config?.wsPort;
  const forceTLS = config?.forceTLS;
  const cluster = config?.cluster;

  useEffect(() => {
    const invalidator = createInvalidator(queryClient);
    const resync = (channel: string) => invalidator.invalidate(keysForResync(channel));
    const conn =
      key && wsHost && wsPort && cluster
        ? createPusherConnection({
            config: { key, wsHost, wsPort, forceTLS: !!forceTLS, cluster },
            createPusher,
            reconnectPolicy,
            onSignal: (channel, data) => {
              const keys = keysForSignal(channel, data);
              if (keys) invalidator.invalidate(keys);
              else warnInDevelopment(`ignored a malformed or unknown signal on ${channel}`, data);
            },
            onResync: resync,
          })
        : createDisabledConnection();
    const stopPolling = startFallbackPolling(conn, () => conn.channels().forEach(resync), pollIntervalMs);
    const uninstallHeader = installSocketIdHeader(() => conn.socketId());
    // The connection is an external resource created here, not derived from render; the state only publishes it.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    setConnection(conn);
    return () => {
      uninstallHeader();
      stopPolling();
      conn.destroy();
      invalidator.dispose?.();
    };
  }, [queryClient, key, wsHost, wsPort, forceTLS, cluster, userId, createInvalidator, createPusher, pollIntervalMs, reconnectPolicy]);

  const configured = config !== null;
  const value = useMemo(() => ({ connection, userId, configured }), [connection, userId, configured]);

  return (
    <RealtimeContext.Provider value={value}>
      <UserChannel />
      {children}
    </RealtimeContext.Provider>
  );
}
