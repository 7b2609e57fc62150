import type { QueryClient, QueryKey } from "@tanstack/react-query";
import type { AnyScopeRegistry } from "../scopes";
import { parseSignal, type Signal } from "../signal";
import { createDisabledConnection, warnInDevelopment, type RealtimeConnection } from "./connection";
import { POLL_INTERVAL_MS, startFallbackPolling } from "./fallback-polling";
import { createCoalescingInvalidator, type InvalidatorFactory } from "./invalidator";
import type { RealtimeLog, RealtimeSignalEntry, ResyncCause } from "./log";
import { createPusherConnection, type PusherFactory, type RealtimeClientConfig } from "./pusher-connection";
import { RECONNECT_POLICY, type ReconnectPolicy } from "./reconnect";
import { createVersionTracker, fetchChannelVersions, startVersionChecks, VERSION_CHECK_INTERVAL_MS, type VersionChecks } from "./versions";

/**
 * One tab's realtime client without React: the broker connection, and everything that reaches the query cache from
 * it (signals, gap repairs, version checks, resyncs after a reconnect, fallback polls), through one invalidator so
 * they coalesce with each other. RealtimeProvider runs one per tab; a test or a load tool may run many in one
 * process, each with its own QueryClient.
 */
export type RealtimeClientOptions = {
  queryClient: QueryClient;
  scopes: AnyScopeRegistry;
  /** null: realtime off (an inert connection). */
  config: RealtimeClientConfig | null;
  createInvalidator?: InvalidatorFactory;
  createPusher?: PusherFactory;
  pollIntervalMs?: number;
  reconnectPolicy?: ReconnectPolicy;
  /** Periodic version checks (also on focus and when visible); 0: only then. */
  versionCheckIntervalMs?: number;
  /**
   * false: signals are applied whatever their version, and nothing is checked (the layer before versions; for
   * measuring what gap detection buys). Default true.
   */
  trackVersions?: boolean;
  log?: RealtimeLog | null;
};

export type RealtimeClient = {
  readonly connection: RealtimeConnection;
  /** Refreshes every joined channel's scopes now (a "manual" resync). */
  resyncAll(): void;
  /**
   * The writer's own tab: the versions its action's signals carried (the broker skipped this tab), counted as heard,
   * in order, so its next signal is no false gap. A real gap among them still resyncs.
   */
  heard(versions: readonly (readonly [string, number])[]): void;
  dispose(): void;
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

export function createRealtimeClient({
  queryClient,
  scopes,
  config,
  createInvalidator = createCoalescingInvalidator,
  createPusher,
  pollIntervalMs = POLL_INTERVAL_MS,
  reconnectPolicy = RECONNECT_POLICY,
  versionCheckIntervalMs = VERSION_CHECK_INTERVAL_MS,
  trackVersions = true,
  log = null,
}: RealtimeClientOptions): RealtimeClient {
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
    if (trackVersions && tracker.baseline(name, version)) resync(name, cause);
  };
  const conn = config
    ? createPusherConnection({
        config,
        createPusher,
        reconnectPolicy,
        onSignal: (name, data) => {
          const signal = parseSignal(data);
          const keys = signal && scopes.keys(signal, scopes.channels.parse(name));
          const verdict =
            trackVersions && keys && signal?.v !== undefined ? tracker.observe(name, signal.v, !!scopes.spec(signal.scope)?.throttleMs) : null;
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
  const versionsEndpoint = config?.versionsEndpoint;
  if (versionsEndpoint && trackVersions) {
    checks = startVersionChecks({
      channels: () => conn.channels(),
      isConnected: () => conn.getStatus() === "connected",
      fetchVersions: (names) => fetchChannelVersions(versionsEndpoint, names),
      onVersions: (versions) => Object.entries(versions).forEach(([name, v]) => onBaseline(name, v, "version-check")),
      intervalMs: versionCheckIntervalMs,
    });
  }
  const stopPolling = startFallbackPolling(conn, () => conn.channels().forEach((name) => resync(name, "poll")), pollIntervalMs);
  const unwatchStatus = log
    ? conn.onStatusChange(() => log.record({ kind: "status", status: conn.getStatus(), socketId: conn.socketId() }))
    : noop;
  return {
    connection: conn,
    resyncAll: () => conn.channels().forEach((name) => resync(name, "manual")),
    heard(versions) {
      if (!trackVersions || versions.length === 0) return;
      const held = new Set(conn.channels());
      for (const [name, v] of versions) if (held.has(name) && tracker.observe(name, v) === "gap") resync(name, "gap");
    },
    dispose() {
      checks?.stop();
      unwatchStatus();
      stopPolling();
      conn.destroy();
      invalidator.dispose?.();
    },
  };
}
