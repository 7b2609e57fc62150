/**
 * The server half of the realtime layer (server-only): build it once with createRealtimeServer, publish with its
 * publishInvalidate, wrap server actions in its collectSignals, and mount createRealtimeAuthHandler as the channel
 * authorization route. See docs/realtime.md.
 */
export { createRealtimeServer, type RealtimeServer, type RealtimeServerOptions } from "./realtime";
export { originSocketId, SOCKET_ID_HEADER, type PublishOptions, type PublishReceipt } from "./publish";
export { RealtimePublishError } from "./sender";
export { allow, createRealtimeAuthHandler, deny, MAX_AUTH_BODY_BYTES, type AccessDecision, type RealtimeAuthOptions } from "./auth";
export type { BrokerConfig } from "./broker";
export type { RealtimeClientConfig } from "../client/pusher-connection";
export type { RealtimeHealth } from "./health";
