/**
 * Request objects of the Centrifugo server API (v5/v6), in camelCase. The client turns them into the
 * documented snake_case JSON bodies (see `toWire*` in `wire-requests.ts`).
 */

/** Any JSON value: what Centrifugo accepts as `data` and `info` over the HTTP API. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A position in a channel's history stream. */
export interface StreamPosition {
  /** Offset of a publication in the stream. */
  offset: number;
  /** Epoch of the stream; a different epoch means the history was lost (e.g. a Redis restart). */
  epoch: string;
}

/** Fields shared by `publish` and `broadcast`. Give `data` (JSON) or `b64data` (binary), not both. */
export interface PublicationFields {
  /** The JSON payload delivered to subscribers. */
  data?: unknown;
  /** A binary payload, base64-encoded (for channels used with the Protobuf client protocol). */
  b64data?: string;
  /** Do not save the publication in the channel's history. @default false */
  skipHistory?: boolean;
  /** String tags attached to the publication (subscribers see them; publication filtering uses them). */
  tags?: Record<string, string>;
  /** Lets Centrifugo drop a duplicate of this publication sent within a short window (safe retries). */
  idempotencyKey?: string;
  /** Ask Centrifugo to send a delta against the previous publication (delta compression). */
  delta?: boolean;
  /** Version of the publication; Centrifugo skips publications older than the last one (v6). */
  version?: number;
  /** Epoch of `version`, to reset the version sequence. */
  versionEpoch?: string;
}

/** `publish`: send data to one channel. */
export interface PublishRequest extends PublicationFields {
  /** The channel, e.g. `news` or `sensors:a1`. */
  channel: string;
}

/** `broadcast`: send the same data to many channels in one call. */
export interface BroadcastRequest extends PublicationFields {
  /** The channels. An empty list is a top-level `bad request` (107). */
  channels: string[];
}

/** Per-subscription overrides of channel options for `subscribe`. */
export interface SubscribeOverride {
  presence?: boolean;
  joinLeave?: boolean;
  forceRecovery?: boolean;
  forcePositioning?: boolean;
  forcePushJoinLeave?: boolean;
}

/** `subscribe`: subscribe a user's connections (or one client) to a channel, server-side. */
export interface SubscribeRequest {
  channel: string;
  user: string;
  /** Unix time in seconds when the subscription expires. */
  expireAt?: number;
  /** Channel info attached to the subscriber (visible in presence, join/leave). */
  info?: unknown;
  b64info?: string;
  /** Only this client (connection id) of the user. */
  client?: string;
  /** Only this session of the user. */
  session?: string;
  /** Data sent to the client in the subscribe push. */
  data?: unknown;
  b64data?: string;
  /** Recover missed publications since this position. */
  recoverSince?: StreamPosition;
  override?: SubscribeOverride;
}

/** `unsubscribe`: unsubscribe a user's connections (or one client/session) from a channel. */
export interface UnsubscribeRequest {
  channel: string;
  user: string;
  client?: string;
  session?: string;
}

/** `disconnect`: disconnect a user's connections (or one client/session). */
export interface DisconnectRequest {
  user: string;
  client?: string;
  session?: string;
  /** Client ids to keep connected. */
  whitelist?: string[];
  /** A custom disconnect code and reason sent to the client. */
  disconnect?: { code: number; reason: string };
}

/** `refresh`: extend (or expire) a user's connection, for connections without JWT refresh. */
export interface RefreshRequest {
  user: string;
  client?: string;
  session?: string;
  /** Mark the connection as expired: it is disconnected. */
  expired?: boolean;
  /** New expiration time, Unix seconds. */
  expireAt?: number;
  /** New connection info. */
  info?: unknown;
}

/** `presence`: the clients subscribed to a channel (needs `presence` on for the channel). */
export interface PresenceRequest {
  channel: string;
}

/** `presence_stats`: the number of clients and unique users in a channel. */
export interface PresenceStatsRequest {
  channel: string;
}

/** `history`: publications kept for a channel (needs history on for the channel). */
export interface HistoryRequest {
  channel: string;
  /** How many publications to return; 0 returns only the current stream position. */
  limit?: number;
  /** Return publications after this position. */
  since?: StreamPosition;
  /** Newest first. @default false */
  reverse?: boolean;
}

/** `history_remove`: drop a channel's history. */
export interface HistoryRemoveRequest {
  channel: string;
}

/** `channels`: active channels (with at least one subscriber), optionally matching a pattern. */
export interface ChannelsRequest {
  /** A glob-like pattern, e.g. `sensors:*`. */
  pattern?: string;
}

/** `info`: statistics of the Centrifugo nodes. Takes no fields. */
export type InfoRequest = Record<string, never>;
