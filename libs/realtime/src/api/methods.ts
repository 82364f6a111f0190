import type {
  BroadcastRequest,
  ChannelsRequest,
  DisconnectRequest,
  HistoryRemoveRequest,
  HistoryRequest,
  InfoRequest,
  PresenceRequest,
  PresenceStatsRequest,
  PublishRequest,
  RefreshRequest,
  SubscribeRequest,
  UnsubscribeRequest,
} from './requests';
import type {
  BroadcastResult,
  CentrifugoReply,
  ChannelsResult,
  EmptyResult,
  HistoryResult,
  InfoResult,
  PresenceResult,
  PresenceStatsResult,
  PublishResult,
} from './results';

/**
 * Every Centrifugo API method this client covers, by its wire name (the path after `apiUrl`), with its
 * request and result types. `batch` is not listed: it carries the others.
 * @publicApi
 */
export interface CentrifugoMethodMap {
  publish: { request: PublishRequest; result: PublishResult };
  broadcast: { request: BroadcastRequest; result: BroadcastResult };
  subscribe: { request: SubscribeRequest; result: EmptyResult };
  unsubscribe: { request: UnsubscribeRequest; result: EmptyResult };
  disconnect: { request: DisconnectRequest; result: EmptyResult };
  refresh: { request: RefreshRequest; result: EmptyResult };
  presence: { request: PresenceRequest; result: PresenceResult };
  presence_stats: { request: PresenceStatsRequest; result: PresenceStatsResult };
  history: { request: HistoryRequest; result: HistoryResult };
  history_remove: { request: HistoryRemoveRequest; result: EmptyResult };
  channels: { request: ChannelsRequest; result: ChannelsResult };
  info: { request: InfoRequest; result: InfoResult };
}

/** A Centrifugo API method name, e.g. `publish` or `presence_stats`. */
export type CentrifugoMethod = keyof CentrifugoMethodMap;

/** The request type of method `M`. */
export type RequestOf<M extends CentrifugoMethod> = CentrifugoMethodMap[M]['request'];

/** The result type of method `M`. */
export type ResultOf<M extends CentrifugoMethod> = CentrifugoMethodMap[M]['result'];

/**
 * One command of a `batch`: the method and its request, e.g.
 * `{ method: 'publish', request: { channel: 'news', data: { text: 'hi' } } }`.
 */
export type BatchCommand = {
  [M in CentrifugoMethod]: { readonly method: M; readonly request: RequestOf<M> };
}[CentrifugoMethod];

/** `batch`: several commands in one HTTP round trip. */
export interface BatchRequest<T extends readonly BatchCommand[] = readonly BatchCommand[]> {
  commands: T;
  /**
   * Let Centrifugo execute the commands concurrently (useful with a Redis engine: fewer round trips).
   * Replies keep the order of `commands` either way. @default false
   */
  parallel?: boolean;
}

/** Result of `batch`: one reply per command, in order, typed by each command's method. */
export interface BatchResult<T extends readonly BatchCommand[] = readonly BatchCommand[]> {
  replies: { -readonly [I in keyof T]: CentrifugoReply<ResultOf<T[I]['method']>> };
}

/** The method names, for validation and iteration. */
export const CENTRIFUGO_METHODS: readonly CentrifugoMethod[] = [
  'publish',
  'broadcast',
  'subscribe',
  'unsubscribe',
  'disconnect',
  'refresh',
  'presence',
  'presence_stats',
  'history',
  'history_remove',
  'channels',
  'info',
];
