"use client";

import { useEffect, useMemo, useState, type ReactNode } from "react";
import { useQueryClient, type QueryKey } from "@tanstack/react-query";
import type { AnyScopeRegistry } from "../scopes";
import { parseSignal, type Signal } from "../signal";
import { createDisabledConnection, warnInDevelopment, type RealtimeConnection } from "./connection";
import { POLL_INTERVAL_MS, startFallbackPolling } from "./fallback-polling";
import { RealtimeContext, useRealtimeChannel } from "./hooks";
import { createCoalescingInvalidator, type InvalidatorFactory } from "./invalidator";
import type { RealtimeLog, RealtimeSignalEntry, ResyncCause } from "./log";
import { createPusherConnection, type PusherFactory, type RealtimeClientConfig } from "./pusher-connection";
import { RECONNECT_POLICY, type ReconnectPolicy } from "./reconnect";
import { installSocketIdHeader } from "./socket-id-header";
import { createVersionTracker, fetchChannelVersions, startVersionChecks, VERSION_CHECK_INTERVAL_MS, type VersionChecks } from "./versions";

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

/** Why the registry gave a signal no keys, worked out only for the log (mirrors ScopeRegistry.keys). */
function ignoredReason(scopes: AnyScopeRegistry, channelName: string, signal: Signal | null): string {
  if (!signal) return "malformed: not a signal (bad JSON, unknown fields, too large)";
  const spec = scopes.spec(signal.scope);
  if (!spec) return `unknown scope "${signal.scope}"`;
  const channel = scopes.channels.parse(channelName);
  if (channel && !spec.carriedBy.includes(channel.kind)) return `scope "${signal.scope}" is not carried by ${channel.kind} channels`;
  return "ids missing or malformed for the scope";
}

function signalEntry(
  scopes: AnyScopeRegistry,
  channel: string,
  signal: Signal | null,
  keys: readonly QueryKey[] | null,
  merged: number | void,
): Omit<RealtimeSignalEntry, "seq" | "at"> {
  const described = { channel, scope: signal?.scope, ids: signal?.ids };
  if (!keys) return { kind: "signal", ...described, keys: [], fate: "ignored", coalescedKeys: 0, reason: ignoredReason(scopes, channel, signal) };
  const coalescedKeys = merged ?? 0;
  const fate = keys.length > 0 && coalescedKeys >= keys.length ? "coalesced" : "applied";
  return { kind: "signal", ...described, keys, fate, coalescedKeys, ...(signal?.v === undefined ? {} : { version: signal.v }) };
}

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
  const [live, setLive] = useState<{ connection: RealtimeConnection; resyncAll: () => void } | null>(null);
  // Primitives, not the object: a server re-render hands over an equal but new config.
  const { key, wsHost, wsPort, forceTLS, cluster, authEndpoint, signinEndpoint, versionsEndpoint } = config ?? {};

  useEffect(() => {
    const invalidator = createInvalidator(queryClient);
    const resync = (name: string, cause: ResyncCause) => {
      const channel = scopes.channels.parse(name);
      if (!channel) return;
      const keys = scopes.resyncKeys(channel);
      invalidator.invalidate(keys);
      log?.record({ kind: "resync", channel: name, cause, keys });
    };
    // Gap detection (versions.ts): each signal's version against the last one heard, baselines from the
    // subscription (private channels) or one version check (public ones), and periodic checks for the last loss.
    const tracker = createVersionTracker();
    let checks: VersionChecks | null = null;
    const onBaseline = (name: string, version: number, cause: ResyncCause) => {
      if (tracker.baseline(name, version)) resync(name, cause);
    };
    const conn =
      key && wsHost && wsPort && cluster && authEndpoint && signinEndpoint
        ? createPusherConnection({
            config: { key, wsHost, wsPort, forceTLS: !!forceTLS, cluster, authEndpoint, signinEndpoint, versionsEndpoint },
            createPusher,
            reconnectPolicy,
            onSignal: (name, data) => {
              const signal = parseSignal(data);
              const channel = scopes.channels.parse(name);
              const keys = signal && scopes.keys(signal, channel);
              const verdict = keys && signal?.v !== undefined ? tracker.observe(name, signal.v, !!scopes.spec(signal.scope)?.throttleMs) : null;
              if (verdict === "stale") {
                log?.record({ ...signalEntry(scopes, name, signal, [], 0), fate: "ignored", reason: `version ${signal!.v} already heard` });
                return;
              }
              const merged = keys ? invalidator.invalidate(keys) : undefined;
              if (!keys) warnInDevelopment(`ignored a malformed or unknown signal on ${name}`, data);
              // Without a log, `?.` skips the call and its argument: no entry is built, no reason worked out.
              log?.record(signalEntry(scopes, name, signal, keys, merged));
              if (verdict === "gap") resync(name, "gap");
            },
            onResync: (name) => resync(name, "reconnect"),
            onBaseline: (name, version) => onBaseline(name, version, "gap"),
            onSubscribed: (name) => {
              // A public channel has no authorization to bring its baseline: it asks once.
              if (!scopes.channels.parse(name)?.private && tracker.latest(name) === undefined) checks?.checkSoon([name]);
            },
            onRelease: (name) => tracker.forget(name),
          })
        : createDisabledConnection();
    if (versionsEndpoint) {
      checks = startVersionChecks({
        channels: () => conn.channels(),
        isConnected: () => conn.getStatus() === "connected",
        fetchVersions: (names) => fetchChannelVersions(versionsEndpoint, names),
        onVersions: (versions) => Object.entries(versions).forEach(([name, v]) => onBaseline(name, v, "version-check")),
        intervalMs: versionCheckIntervalMs,
      });
    }
    const stopPolling = startFallbackPolling(conn, () => conn.channels().forEach((name) => resync(name, "poll")), pollIntervalMs);
    const uninstallHeader = installSocketIdHeader(() => conn.socketId());
    const unwatchStatus = log
      ? conn.onStatusChange(() => log.record({ kind: "status", status: conn.getStatus(), socketId: conn.socketId() }))
      : noop;
    const resyncAll = () => conn.channels().forEach((name) => resync(name, "manual"));
    // The connection is an external resource created here, not derived from render; the state only publishes it.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    setLive({ connection: conn, resyncAll });
    return () => {
      checks?.stop();
      unwatchStatus();
      uninstallHeader();
      stopPolling();
      conn.destroy();
      invalidator.dispose?.();
    };
  }, [queryClient, scopes, key, wsHost, wsPort, forceTLS, cluster, authEndpoint, signinEndpoint, versionsEndpoint, userChannel, createInvalidator, createPusher, pollIntervalMs, reconnectPolicy, versionCheckIntervalMs, log]);

  const configured = config !== null;
  const value = useMemo(
    () => ({ connection: live?.connection ?? null, resyncAll: live?.resyncAll ?? noop, log, userChannel, configured }),
    [live, log, userChannel, configured],
  );

  return (
    <RealtimeContext.Provider value={value}>
      <UserChannel name={userChannel} />
      {children}
    </RealtimeContext.Provider>
  );
}
