"use client";

import { useEffect, useMemo, useState, type ReactNode } from "react";
import { useQueryClient } from "@tanstack/react-query";
import type { AnyScopeRegistry } from "../scopes";
import { parseSignal } from "../signal";
import { createDisabledConnection, warnInDevelopment, type RealtimeConnection } from "./connection";
import { POLL_INTERVAL_MS, startFallbackPolling } from "./fallback-polling";
import { RealtimeContext, useRealtimeChannel } from "./hooks";
import { createCoalescingInvalidator, type InvalidatorFactory } from "./invalidator";
import { createPusherConnection, type PusherFactory, type RealtimeClientConfig } from "./pusher-connection";
import { RECONNECT_POLICY, type ReconnectPolicy } from "./reconnect";
import { installSocketIdHeader } from "./socket-id-header";

export type RealtimeProviderProps = {
  /** From realtime.clientConfig() on the server; null means realtime is off. */
  config: RealtimeClientConfig | null;
  /** The host's scope registry (defineScopes); module-level, so it is stable. */
  scopes: AnyScopeRegistry;
  /** The signed-in user's private channel, joined for as long as the provider lives; null for a visitor. */
  userChannel: string | null;
  children?: ReactNode;
  /** Refetch policy; must be a stable (module-level) function. Defaults to coalescing (invalidator.ts). */
  createInvalidator?: InvalidatorFactory;
  /** pusher-js constructor seam for tests; must be a stable function. */
  createPusher?: PusherFactory;
  /** How often subscribed scopes are refreshed while the connection is not live. */
  pollIntervalMs?: number;
  /** Reconnect back-off; must be stable (module-level). */
  reconnectPolicy?: ReconnectPolicy;
};

function UserChannel({ name }: { name: string | null }) {
  useRealtimeChannel(name);
  return null;
}

/**
 * Owns the tab's one broker connection (inside QueryClientProvider). It is rebuilt when the user changes (sign-in,
 * sign-out, switch), because private channel authorizations belong to the old session; components then rejoin on
 * the new connection. Everything that reaches the query cache from the broker (signals, resyncs after a reconnect,
 * fallback polls) goes through the one invalidator, so they coalesce with each other.
 */
export function RealtimeProvider({
  config,
  scopes,
  userChannel,
  children,
  createInvalidator = createCoalescingInvalidator,
  createPusher,
  pollIntervalMs = POLL_INTERVAL_MS,
  reconnectPolicy = RECONNECT_POLICY,
}: RealtimeProviderProps) {
  const queryClient = useQueryClient();
  const [connection, setConnection] = useState<RealtimeConnection | null>(null);
  // Primitives, not the object: a server re-render hands over an equal but new config.
  const { key, wsHost, wsPort, forceTLS, cluster, authEndpoint, signinEndpoint } = config ?? {};

  useEffect(() => {
    const invalidator = createInvalidator(queryClient);
    const resync = (name: string) => {
      const channel = scopes.channels.parse(name);
      if (channel) invalidator.invalidate(scopes.resyncKeys(channel));
    };
    const conn =
      key && wsHost && wsPort && cluster && authEndpoint && signinEndpoint
        ? createPusherConnection({
            config: { key, wsHost, wsPort, forceTLS: !!forceTLS, cluster, authEndpoint, signinEndpoint },
            createPusher,
            reconnectPolicy,
            onSignal: (name, data) => {
              const signal = parseSignal(data);
              const keys = signal && scopes.keys(signal, scopes.channels.parse(name));
              if (keys) invalidator.invalidate(keys);
              else warnInDevelopment(`ignored a malformed or unknown signal on ${name}`, data);
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
  }, [queryClient, scopes, key, wsHost, wsPort, forceTLS, cluster, authEndpoint, signinEndpoint, userChannel, createInvalidator, createPusher, pollIntervalMs, reconnectPolicy]);

  const configured = config !== null;
  const value = useMemo(() => ({ connection, userChannel, configured }), [connection, userChannel, configured]);

  return (
    <RealtimeContext.Provider value={value}>
      <UserChannel name={userChannel} />
      {children}
    </RealtimeContext.Provider>
  );
}
