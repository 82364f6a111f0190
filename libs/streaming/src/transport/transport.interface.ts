import { BrokerUrl, CredentialsProvider, LoadedTls, ResolvedBackoff } from '@databus/common';
import { Offset } from '../offset/offset';
import type { ResolvedAmqpDataset } from './amqp-dataset';
import type { DatasetPatternMatcher } from './dataset-pattern';
import { TransportCapabilities } from './transport-capabilities';
import { IncomingRecord, OutgoingRecord, ProduceResult } from './transport-record.interface';
import { TransportStatus, TransportStatusListener } from './transport-status';

/** Names of the built-in transports (URL schemes without the TLS `s`). @publicApi */
export type TransportName = 'memory' | 'kafka' | 'amqp' | 'mqtt' | 'nats' | 'rest';

/** Minimal logger the transports write to (Nest's `Logger` fits). */
export interface TransportLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug(message: string): void;
}

/** Everything a transport factory receives; all of it validated and defaulted by the module. */
export interface TransportContext {
  /** The parsed URL (hosts of a cluster, credentials, path, query). */
  url: BrokerUrl;
  /** True for `amqps://`, `mqtts://`, `kafka+ssl://`, or when `tls` is set. */
  secure: boolean;
  tls?: LoadedTls;
  /** Credentials from the auth lib or the URL; absent when neither gives any. */
  credentials?: CredentialsProvider;
  /** Identifies this application instance to the broker. */
  clientId: string;
  /** Transport-specific options from `StreamingModule.forRoot({ transportOptions })`, validated by the transport. */
  transportOptions: Record<string, unknown>;
  /** Backoff between reconnect attempts. */
  reconnect: ResolvedBackoff;
  /** How long `produce` waits for a connection during an outage before failing with `TemporaryError`. */
  produceTimeoutMs: number;
  /**
   * Budget of the first connect (`StreamingModule.connectTimeoutMs`). The streaming connection retries
   * `connect()` within it; a transport bounds one attempt by it at most. @default 30_000
   */
  connectTimeoutMs?: number;
  logger: TransportLogger;
}

/** What a subscription asks of a transport. */
export interface SubscriptionSpec {
  /** The dataset; for a native pattern subscription (`pattern` set), the pattern's text. */
  dataset: string;
  /**
   * A dataset pattern, on transports declaring `capabilities.datasetPatterns: 'native'` only: one broker
   * subscription whose filter is the pattern; each record names its own dataset (`IncomingRecord.dataset`)
   * and records of datasets the pattern does not match (`pattern.matches`) are never delivered.
   */
  pattern?: DatasetPatternMatcher;
  /**
   * Consumer group. Members of one group share the messages (each message goes to one member) and the
   * group's committed position. Absent: a private, non-durable subscription.
   */
  group?: string;
  /** Where a group with no committed position (or a private subscription) starts. */
  start: Offset;
  /** Upper bound of delivered-but-unacknowledged messages the transport may hold for this subscription. */
  prefetch: number;
  /** A durable group inactive for this long may be forgotten by the broker. */
  groupExpiryMs: number;
  /** Consumer settings from `open({ requestTimeoutMs, sessionTimeoutMs, extraConfigs })`, for transports that have them. */
  consumerConfig?: Readonly<Record<string, unknown>>;
  /** amqp transport: the dataset is a plain queue or fanout exchange (consumer option `amqp`); others ignore it. */
  amqp?: ResolvedAmqpDataset;
  /** `delivery: 'at-most-once'`: the broker may forget a message once sent (AMQP noAck), where the transport can. */
  noAck?: boolean;
}

/**
 * One subscription of a transport. Pull-based: the runtime asks for records when it has room, so a slow
 * consumer slows the broker fetch instead of growing memory.
 */
export interface TransportSubscription {
  /**
   * Where a durable group that already had a committed position resumes: the sequence of the first message it
   * has not acknowledged. Set by transports that know it at subscribe time; absent for a new group or a private
   * subscription (which start at `spec.start`) and where the transport cannot tell.
   */
  readonly resumedAt?: number;
  /**
   * Up to `max` records: what is already available, at once; while nothing is, waits up to `maxWaitMs` for
   * the first (resolving with none after it, or at once when `signal` aborts). Rejects with `ConsumerError`
   * when the subscription is lost (the runtime then re-subscribes from the committed position, or a private
   * subscription from where it was). Transports build it on `RecordBuffer`.
   */
  fetch(max: number, maxWaitMs: number, signal?: AbortSignal): Promise<IncomingRecord[]>;
  /**
   * Acknowledges finished records. With `ackMode: 'position'` the runtime passes only contiguous finished
   * prefixes, and the transport commits the position after the last record of each partition. The returned
   * promise may stay pending until the broker confirms (a commit, a position write): keep nothing of `records`
   * referenced while it does (no `await` in an async `ack` with `records` in scope; return the pending
   * promise instead), or every record and the socket chunk its body is a slice of survive into old space
   * (§12a/§12c of bench/benchmarks-analysis.md; the amqp and kafka subscriptions' specs check it).
   */
  ack(records: readonly IncomingRecord[]): Promise<void>;
  /** Asks the broker to deliver `record` again (after `delayMs` where supported). Needs `capabilities.nack`. */
  nack(record: IncomingRecord, delayMs: number): Promise<void>;
  /** Moves the group's (or this subscription's) position; unacknowledged deliveries are dropped. */
  seek(offset: Offset): Promise<void>;
  /** Stops delivery; unacknowledged records go back to the group. Idempotent. */
  close(): Promise<void>;
}

/**
 * The transport SPI. A transport moves bytes, positions and acknowledgements; retry, dead-letter,
 * ordering, batching and shutdown are the shared runtime's job, written once above this interface.
 * @publicApi
 */
export interface StreamingTransport {
  readonly name: TransportName;
  readonly capabilities: TransportCapabilities;
  /** Opens connections. Throws `TemporaryError` (broker unreachable) or `PermanentError` (refused credentials, bad TLS). */
  connect(): Promise<void>;
  /** Resolves when the broker holds every record (confirms/acks); order is kept per key. */
  produce(dataset: string, records: readonly OutgoingRecord[]): Promise<ProduceResult[]>;
  /**
   * Optional, for brokers that acknowledge each message on its own (MQTT's PUBACK): sends the records like
   * `produce` (same order, same guarantees) and settles each record itself: `resolves[i]` once the broker
   * holds `records[i]`, or `rejects[i]` with the error `produce` would have failed with (exactly one of them,
   * once). The shared producer path then settles each `ChannelService.produce()` call straight from its own
   * acknowledgement, rather than on its tick batch's last one, with no promise per record in between.
   */
  produceEach?(
    dataset: string,
    records: readonly OutgoingRecord[],
    resolves: ReadonlyArray<(result: ProduceResult) => void>,
    rejects: ReadonlyArray<(error: unknown) => void>,
  ): void;
  subscribe(spec: SubscriptionSpec): Promise<TransportSubscription>;
  /**
   * The datasets that exist now and that `pattern` matches (`pattern.matches`), for transports declaring
   * `capabilities.datasetPatterns: 'listed'`. The runtime subscribes to each of them (a listed transport never
   * sees a pattern in `subscribe`), and calls it again every `patternRefreshMs` for datasets created since,
   * unless the transport has `watchDatasets`.
   */
  listDatasets?(pattern: DatasetPatternMatcher): Promise<string[]>;
  /**
   * Tells `onDataset` of every dataset created from now on (it may also name existing ones), for listed
   * transports that learn of new datasets at once (memory); the runtime then lists only once. Returns a
   * function that stops the watch.
   */
  watchDatasets?(onDataset: (dataset: string) => void): () => void;
  /** Sends `record` with a reply address and resolves with the reply; `RequestTimeoutError` after `timeoutMs`. */
  request(dataset: string, record: OutgoingRecord, timeoutMs: number): Promise<IncomingRecord>;
  /** Sends a reply to the address a request carried (`IncomingRecord.replyTo`). */
  reply(replyTo: string, correlationId: string | undefined, record: OutgoingRecord): Promise<void>;
  readonly status: TransportStatus;
  onStatus(listener: TransportStatusListener): () => void;
  /** Closes every subscription and connection; leaves no timer or socket behind. Idempotent. */
  close(): Promise<void>;
}

/** Builds a transport from its context. Each transport folder exports one. */
export type TransportFactory = (context: TransportContext) => StreamingTransport;
