/** Result objects of the Centrifugo server API, in camelCase (decoded by `wire-results.ts`). */

/** Centrifugo's own error object, `{ code, message }`. */
export interface CentrifugoErrorInfo {
  code: number;
  message: string;
}

/**
 * One item of a `broadcast` or `batch` reply: either a result or Centrifugo's error for that item.
 * Check `reply.error` first; item errors are never thrown.
 */
export type CentrifugoReply<R> =
  | { readonly result: R; readonly error?: undefined }
  | { readonly result?: undefined; readonly error: CentrifugoErrorInfo };

/** Result of `publish`: where the publication landed in the channel's stream (0/'' without history). */
export interface PublishResult {
  offset: number;
  epoch: string;
}

/** Result of `broadcast`: one reply per channel, in the order of `channels`. */
export interface BroadcastResult {
  responses: CentrifugoReply<PublishResult>[];
}

/** Result of the methods that return nothing: `subscribe`, `unsubscribe`, `disconnect`, `refresh`, `history_remove`. */
export type EmptyResult = Record<string, never>;

/** A connected client as presence reports it. */
export interface ClientInfo {
  user: string;
  client: string;
  /** Connection info (from the connection JWT or proxy). */
  connInfo?: unknown;
  /** Channel info (from the subscription JWT or proxy). */
  chanInfo?: unknown;
}

/** Result of `presence`: clients keyed by client id. */
export interface PresenceResult {
  presence: Record<string, ClientInfo>;
}

/** Result of `presence_stats`. */
export interface PresenceStatsResult {
  numClients: number;
  numUsers: number;
}

/** A publication in a channel's history. */
export interface Publication {
  data: unknown;
  offset: number;
  info?: ClientInfo;
  tags?: Record<string, string>;
}

/** Result of `history`: the publications and the stream's current top position. */
export interface HistoryResult {
  publications: Publication[];
  epoch: string;
  offset: number;
}

/** Result of `channels`: channel name → number of connected subscribers. */
export interface ChannelsResult {
  channels: Record<string, { numClients: number }>;
}

/** Statistics of one Centrifugo node. */
export interface NodeInfo {
  uid: string;
  name: string;
  version: string;
  numClients: number;
  numUsers: number;
  numChannels: number;
  numSubs: number;
  /** Uptime in seconds. */
  uptime: number;
  metrics?: { interval: number; items: Record<string, number> };
  process?: { cpu: number; rss: number };
}

/** Result of `info`. */
export interface InfoResult {
  nodes: NodeInfo[];
}
