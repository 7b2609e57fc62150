/**
 * The realtime invalidation layer, shared part (isomorphic): channels, scopes, the signal, notices.
 * Server half: `./server` (publish, channel authorization, health). Browser half: `./client` (provider, hooks).
 * The contract is docs/realtime.md.
 */
export {
  CHANNEL_NAME_MAX,
  UUID_PATTERN,
  defineChannels,
  isPusherChannelName,
  type ChannelParams,
  type ChannelSpec,
  type ChannelSpecs,
  type Channels,
  type ParamSpec,
  type ParsedChannel,
} from "./channels";
export {
  defineScopes,
  scope,
  type AnyScopeRegistry,
  type Publication,
  type RegistryPublication,
  type RegistrySignal,
  type ScopeRegistry,
  type ScopeSpec,
  type SignalOf,
} from "./scopes";
export {
  CHANNEL_VERSION_FIELD,
  INVALIDATE_EVENT,
  SIGNAL_MAX_BYTES,
  SignalSchema,
  parseSignal,
  signalData,
  type Signal,
} from "./signal";
export { isNoticeNewer, noticeKey, noticeQuery } from "./notices";
