export { RealtimeProvider, type RealtimeProviderProps } from "./provider";
export {
  useRealtimeChannel,
  useUserChannel,
  useResourceChannel,
  useRealtimeStatus,
  useRealtimeConnection,
} from "./hooks";
export type { RealtimeConnection } from "./connection";
export type { RealtimeStatus } from "./status";
export {
  createImmediateInvalidator,
  createCoalescingInvalidator,
  coalescingInvalidator,
  type Invalidator,
  type InvalidatorFactory,
} from "./invalidator";
export { COALESCE_POLICY, IMMEDIATE_COALESCE_POLICY, type CoalescePolicy } from "./coalescer";
export { RECONNECT_POLICY, type ReconnectPolicy } from "./reconnect-policy";
export { POLL_INTERVAL_MS } from "./fallback-polling";
export { SOCKET_ID_HEADER } from "./socket-id-header";
export { GuardedPusher, type PusherFactory, type PusherLike, type PusherOptions } from "./pusher-connection";
export type { RealtimeClientConfig } from "../client-config";
