import type { ModuleMetadata } from '@nestjs/common';
import type { DatasetMessage, HandlerRetryOptions, Offset, OffsetName } from '@databus/streaming';
import type { PublishRequest } from '../api/requests';

/**
 * Options of `RealtimeBridgeModule.forFeature`: which dataset goes to which Centrifugo channels, and how.
 * @publicApi
 */
export interface RealtimeBridgeOptions {
  /** The dataset to forward, e.g. `sensor-readings`. */
  dataset: string;
  /** The channel of a message, e.g. `(msg) => \`sensors:${msg.key}\``. Must return a non-empty string. */
  channel: (message: DatasetMessage) => string;
  /** The publication's data. @default the message body parsed as JSON (`message.json()`) */
  data?: (message: DatasetMessage) => unknown;
  /** Extra publish fields per message (tags, skipHistory…); `channel`, `data` and `idempotencyKey` are set by the bridge. */
  publish?: (message: DatasetMessage) => Omit<PublishRequest, 'channel' | 'data' | 'b64data'>;
  /**
   * Send an idempotency key derived from the message (`<dataset>:<partition>:<sequence>`) so that a message
   * delivered again (at-least-once) is not published twice within Centrifugo's deduplication window.
   * @default true
   */
  idempotent?: boolean;
  /** Consumer group of the bridge; durable, so a restart resumes where it stopped. @default '<dataset>.realtime-bridge' */
  group?: string;
  /** Where a new group starts. @default Offset.LATEST */
  offset?: Offset | OffsetName;
  /**
   * Most publishes per Centrifugo `batch` call; also the fetch size and the number of messages handled at
   * once (messages with the same key stay in order). @default 100
   */
  batch?: number;
  /** How long a fetch waits to fill `batch`. @default 100 */
  maxWaitMs?: number;
  /** Centrifugo's `parallel` batch flag. @default false */
  parallel?: boolean;
  /** Retries of a failed publish (streaming runtime semantics). @default the streaming defaults (3 attempts) */
  retry?: HandlerRetryOptions;
  /** Where messages whose publish failed for good go. @default '<dataset>.dlq' */
  deadLetter?: string | false;
  /** Name of the `StreamingModule` connection to read from. @default the unnamed connection */
  connection?: string;
  /**
   * Modules providing `CentrifugoClient` and the `ChannelService`, when `RealtimeModule` / `StreamingModule`
   * are not registered with `isGlobal: true`.
   */
  imports?: ModuleMetadata['imports'];
}
