/**
 * The server half of the realtime layer (server-only): build it once with createRealtimeServer, publish with its
 * publishInvalidate, wrap server actions in its collectSignals, and mount createRealtimeAuthHandler (channel
 * authorization) and createRealtimeSigninHandler (user sign-in) as routes. See docs/realtime.md.
 */
export { createRealtimeServer, type RealtimeServer, type RealtimeServerOptions } from "./realtime";
export { originSocketId, SOCKET_ID_HEADER, type PublishOptions, type PublishReceipt } from "./publish";
export { RealtimePublishError } from "./sender";
export {
  allow,
  createRealtimeAuthHandler,
  createRealtimeSigninHandler,
  deny,
  isSameOriginRequest,
  MAX_AUTH_BODY_BYTES,
  MAX_AUTH_CHANNELS,
  readCappedForm,
  type AccessDecision,
  type CappedForm,
  type ConnectionSignIn,
  type RealtimeAuthOptions,
  type RealtimeSigninOptions,
} from "./auth";
export {
  createRealtimeVersionsHandler,
  MAX_VERSION_CHANNELS,
  MAX_VERSIONS_BODY_BYTES,
  type RealtimeVersionsOptions,
} from "./versions";
export type { BrokerConfig } from "./broker";
export type { RealtimeClientConfig } from "../client/pusher-connection";
export type { RealtimeHealth } from "./health";
export { memoryWindowStore, type ThrottleWindowStore, type WindowVerdict } from "./throttle";
