/**
 * @databus/realtime: a client of Centrifugo's server HTTP API (publish, broadcast, batch, subscribe,
 * unsubscribe, disconnect, refresh, presence, presence stats, history, channels, info) with typed
 * requests, results and errors, for NestJS (`RealtimeModule`) or standalone (`new CentrifugoClient`).
 */
export { RealtimeModule } from './realtime.module';
export {
  REALTIME_MODULE_OPTIONS,
  REALTIME_OPTIONS_TYPE,
  REALTIME_ASYNC_OPTIONS_TYPE,
} from './realtime.module-definition';
export type { RealtimeModuleOptions } from './options/realtime-options.interface';
export { DEFAULT_TIMEOUT_MS, DEFAULT_MAX_SOCKETS } from './options/resolve-realtime-options';
export { type CallOptions, CentrifugoClient } from './client/centrifugo.client';
export {
  type CentrifugoMethodMap,
  type CentrifugoMethod,
  type RequestOf,
  type ResultOf,
  type BatchCommand,
  type BatchRequest,
  type BatchResult,
  CENTRIFUGO_METHODS,
} from './api/methods';
export type {
  JsonValue,
  StreamPosition,
  PublicationFields,
  PublishRequest,
  BroadcastRequest,
  SubscribeOverride,
  SubscribeRequest,
  UnsubscribeRequest,
  DisconnectRequest,
  RefreshRequest,
  PresenceRequest,
  PresenceStatsRequest,
  HistoryRequest,
  HistoryRemoveRequest,
  ChannelsRequest,
  InfoRequest,
} from './api/requests';
export type {
  CentrifugoErrorInfo,
  CentrifugoReply,
  PublishResult,
  BroadcastResult,
  EmptyResult,
  ClientInfo,
  PresenceResult,
  PresenceStatsResult,
  Publication,
  HistoryResult,
  ChannelsResult,
  NodeInfo,
  InfoResult,
} from './api/results';
export * from './errors';
export type { RealtimeBridgeOptions } from './bridge/realtime-bridge-options.interface';
export { RealtimeBridgeModule, getRealtimeBridgeToken } from './bridge/realtime-bridge.module';
export { RealtimeBridge, BRIDGE_DEFAULT_BATCH, BRIDGE_DEFAULT_MAX_WAIT_MS } from './bridge/realtime-bridge';
