"use client";

import { useEffect, useMemo, useState, type ReactNode } from "react";
import { useQueryClient } from "@tanstack/react-query";
import type { AnyScopeRegistry } from "../scopes";
import { POLL_INTERVAL_MS } from "./fallback-polling";
import { RealtimeContext, useRealtimeChannel } from "./hooks";
import { createCoalescingInvalidator, type InvalidatorFactory } from "./invalidator";
import type { RealtimeLog } from "./log";
import type { PusherFactory, RealtimeClientConfig } from "./pusher-connection";
import { createRealtimeClient, type RealtimeClient } from "./realtime-client";
import { RECONNECT_POLICY, type ReconnectPolicy } from "./reconnect";
import { installSocketIdHeader } from "./socket-id-header";
import { VERSION_CHECK_INTERVAL_MS } from "./versions";

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
  /** How often a connected tab checks its channels' versions (also on focus and when visible); 0: only then. */
  versionCheckIntervalMs?: number;
  /**
   * Where to record signals (with their fate), resyncs and connection changes for an inspector (log.ts); created
   * once at module level. Absent or null (production): nothing is recorded and nothing extra is computed.
   */
  log?: RealtimeLog | null;
};

const noop = () => {};

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
  versionCheckIntervalMs = VERSION_CHECK_INTERVAL_MS,
  log = null,
}: RealtimeProviderProps) {
  const queryClient = useQueryClient();
  const [live, setLive] = useState<Pick<RealtimeClient, "connection" | "resyncAll" | "heard"> | null>(null);
  // Primitives, not the object: a server re-render hands over an equal but new config.
  const { key, wsHost, wsPort, forceTLS, cluster, authEndpoint, signinEndpoint, versionsEndpoint } = config ?? {};

  useEffect(() => {
    const client = createRealtimeClient({
      queryClient,
      scopes,
      config: key && wsHost && wsPort && cluster && authEndpoint && signinEndpoint
        ? { key, wsHost, wsPort, forceTLS: !!forceTLS, cluster, authEndpoint, signinEndpoint, versionsEndpoint }
        : null,
      createInvalidator,
      createPusher,
      pollIntervalMs,
      reconnectPolicy,
      versionCheckIntervalMs,
      log,
    });
    const uninstallHeader = installSocketIdHeader(() => client.connection.socketId());
    // The connection is an external resource created here, not derived from render; the state only publishes it.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    setLive({ connection: client.connection, resyncAll: client.resyncAll, heard: client.heard });
    return () => {
      uninstallHeader();
      client.dispose();
    };
  }, [queryClient, scopes, key, wsHost, wsPort, forceTLS, cluster, authEndpoint, signinEndpoint, versionsEndpoint, userChannel, createInvalidator, createPusher, pollIntervalMs, reconnectPolicy, versionCheckIntervalMs, log]);

  const configured = config !== null;
  const value = useMemo(
    () => ({ connection: live?.connection ?? null, resyncAll: live?.resyncAll ?? noop, heard: live?.heard ?? noop, log, userChannel, configured }),
    [live, log, userChannel, configured],
  );

  return (
    <RealtimeContext.Provider value={value}>
      <UserChannel name={userChannel} />
      {children}
    </RealtimeContext.Provider>
  );
}
