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
export { createImmediateInvalidator, type Invalidator, type InvalidatorFactory } from "./invalidator";
export type { PusherFactory, PusherLike, PusherOptions } from "./pusher-connection";
export type { RealtimeClientConfig } from "../client-config";
