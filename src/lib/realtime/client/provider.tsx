"use client";

import { useEffect, useMemo, useState, type ReactNode } from "react";
import { useQueryClient } from "@tanstack/react-query";
import type { RealtimeClientConfig } from "../client-config";
import type { RealtimeConnection } from "./connection";
import { RealtimeContext } from "./context";
import { createDisabledConnection } from "./disabled-connection";
import { keysForSignal, warnInDevelopment } from "./dispatch";
import { useUserChannel } from "./hooks";
import { createImmediateInvalidator, type InvalidatorFactory } from "./invalidator";
import { createPusherConnection, type PusherFactory } from "./pusher-connection";

export type RealtimeProviderProps = {
  /** From realtimeClientConfig() on the server; null means realtime is off. */
  config: RealtimeClientConfig | null;
  /** The signed-in user (their private channel is joined automatically), or null. */
  userId: number | null;
  children?: ReactNode;
  /** Refetch policy; must be a stable (module-level) function. Defaults to immediate invalidation. */
  createInvalidator?: InvalidatorFactory;
  /** pusher-js constructor seam for tests; must be a stable function. */
  createPusher?: PusherFactory;
};

function UserChannel() {
  useUserChannel();
  return null;
}

/**
 * Owns the tab's one broker connection. It is rebuilt when the user changes (sign-in, sign-out, switch), because
 * private channel authorizations belong to the old session; components then rejoin on the new connection.
 */
export function RealtimeProvider({
  config,
  userId,
  children,
  createInvalidator = createImmediateInvalidator,
  createPusher,
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
    const conn =
      key && wsHost && wsPort && cluster
        ? createPusherConnection({
            config: { key, wsHost, wsPort, forceTLS: !!forceTLS, cluster },
            createPusher,
            onSignal: (channel, data) => {
              const keys = keysForSignal(channel, data);
              if (keys) invalidator.invalidate(keys);
              else warnInDevelopment(`ignored a malformed or unknown signal on ${channel}`, data);
            },
          })
        : createDisabledConnection();
    // The connection is an external resource created here, not derived from render; the state only publishes it.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    setConnection(conn);
    return () => {
      conn.destroy();
      invalidator.dispose?.();
    };
  }, [queryClient, key, wsHost, wsPort, forceTLS, cluster, userId, createInvalidator, createPusher]);

  const configured = config !== null;
  const value = useMemo(() => ({ connection, userId, configured }), [connection, userId, configured]);

  return (
    <RealtimeContext.Provider value={value}>
      <UserChannel />
      {children}
    </RealtimeContext.Provider>
  );
}
