/**
 * The browser half of the realtime layer: one RealtimeProvider per tab (inside QueryClientProvider), hooks to join
 * channels and read the connection state, and applySignals for the writer's own tab. See docs/realtime.md.
 */
export { RealtimeProvider, type RealtimeProviderProps } from "./provider";
export { createRealtimeClient, type RealtimeClient, type RealtimeClientOptions } from "./realtime-client";
export {
  applySignals,
  useRealtimeChannel,
  useRealtimeChannelCounts,
  useRealtimeConnection,
  useRealtimeHeard,
  useRealtimeLog,
  useRealtimeLogEnabled,
  useRealtimeResync,
  useRealtimeStatus,
} from "./hooks";
export {
  REALTIME_LOG_CAPACITY,
  createRealtimeLog,
  type RealtimeLog,
  type RealtimeLogEntry,
  type RealtimeLogInput,
  type RealtimeResyncEntry,
  type RealtimeSignalEntry,
  type RealtimeStatusEntry,
  type ResyncCause,
  type SignalFate,
} from "./log";
export type { RealtimeConnection, RealtimeStatus } from "./connection";
export {
  COALESCE_POLICY,
  IMMEDIATE_COALESCE_POLICY,
  coalescingInvalidator,
  createCoalescingInvalidator,
  createImmediateInvalidator,
  type CoalescePolicy,
  type Invalidator,
  type InvalidatorFactory,
} from "./invalidator";
export { RECONNECT_POLICY, type ReconnectPolicy } from "./reconnect";
export { POLL_INTERVAL_MS } from "./fallback-polling";
export {
  VERSION_CHECK_INTERVAL_MS,
  createVersionTracker,
  type ChannelVersions,
  type VersionTracker,
  type VersionVerdict,
} from "./versions";
export { SOCKET_ID_HEADER } from "./socket-id-header";
export {
  AUTH_BATCH_WINDOW_MS,
  MAX_AUTH_CHANNELS,
  batchingChannelAuthorizer,
  type BatchAuthAnswer,
  type ChannelAuthAnswer,
  type ChannelAuthorizerOptions,
} from "./channel-authorizer";
export { GuardedPusher, type PusherFactory, type PusherLike, type PusherOptions, type RealtimeClientConfig } from "./pusher-connection";
