import {
  BackoffOptions,
  BrokerCredentials,
  CredentialsProvider,
  DatabusMetrics,
  DeliveryMode,
  TlsOptions,
} from '@databus/common';
import { LoggerService } from '@nestjs/common';
import { PayloadDecoding } from '../message/codec';
import { OffsetInput } from '../offset/offset';
import type { AccountServerOptions } from '../account-server/account-server.options';
import { TransportFactory } from '../transport/transport.interface';
import type { AmqpDatasetOptions } from '../transport/amqp-dataset';
import { MessageHeaders } from '../transport/transport-record.interface';

/** Options of `produce`. @publicApi */
export interface ProduceOptions {
  /** Ordering key: messages with the same key are consumed in order. */
  key?: string;
  headers?: MessageHeaders;
  /** The message id, sent as header `x-databus-message-id`: `idempotent: true` handlers process each id once. */
  messageId?: string;
  /**
   * amqp transport: the dataset is a plain queue or fanout exchange, declared so if missing (pika interop),
   * e.g. `{ exchange: { durable: false } }` to reach pika's fanout listeners. The same as its consumers'.
   */
  amqp?: AmqpDatasetOptions;
}

/** One message of `produceMany`. @publicApi */
export interface ProduceMessage extends ProduceOptions {
  value: unknown;
}

/**
 * One record of `produce(records)`: the dataset it goes to, its value, and its key and headers (the seed
 * channel's `routingData.topic`, `routingData.shardingKey` and `message.headers`). @publicApi
 */
export interface ProduceRecord extends ProduceMessage {
  dataset: string;
}

/** How a failing handler is retried. @publicApi */
export interface HandlerRetryOptions {
  /** Handler runs per message, the first included; 1 disables retries. @default 3 */
  attempts?: number;
  /** @default { initialMs: 200, maxMs: 10_000, factor: 2, jitter: 0.2 } */
  backoff?: BackoffOptions;
}

/**
 * Options of one consumer: an `@OnDatasetMessage` handler, a `subscribe()` call or a channel.
 * Defaults come from `StreamingModule` `consumerDefaults`, then from the values below.
 * @publicApi
 */
export interface ConsumerOptions {
  /**
   * Consumer group: members of one group share the messages and the committed position, which survives
   * restarts. Handlers default to `<module group>.<Class>.<method>` (or `<Class>.<method>`); `subscribe()`
   * defaults to the module's `group`, else a private, non-durable subscription.
   */
  group?: string;
  /**
   * Where a group with no committed position starts: an `Offset`, `'latest' | 'earliest' | 'none'`, a sequence
   * number (as `Offset.sequence(n)`) or a `Date` (as `Offset.time(date)`); anything else is a
   * `ConfigurationError`. A durable group resumes from its position whatever this says. @default Offset.LATEST
   */
  offset?: OffsetInput;
  /** Messages per fetch. @default 10 */
  batch?: number;
  /** How long a fetch waits for the `batch`-th message. @default 10_000 for subscribe(), 100 for handlers */
  maxWaitMs?: number;
  /** Most messages delivered and not yet finished. Must be >= batch and >= concurrency. @default 2 × max(batch, concurrency) */
  prefetch?: number;
  /** Handlers running at once; messages with the same key stay in order. @default 1 */
  concurrency?: number;
  /** Commit when the handler resolves. `false`: call `message.ack()` / `subscription.commit()` yourself. @default true */
  autoCommit?: boolean;
  retry?: HandlerRetryOptions;
  /** Dataset receiving messages that failed every attempt or cannot be decoded; `false` logs and drops them. @default '<dataset>.dlq' */
  deadLetter?: string | false;
  /** How the payload argument is decoded. @default 'json' */
  decode?: PayloadDecoding;
  /**
   * `'at-most-once'`: a failed message is dropped (one WARN line), never retried nor dead-lettered, and on
   * the amqp transport a dataset kept as a queue or exchange (`amqp`) is consumed with `noAck` (pika's
   * `auto_ack=True`): a message is **lost** when its handler fails or the process stops or crashes before
   * handling it. `retry` or `deadLetter` with it is a `ConfigurationError`. @default 'at-least-once'
   */
  delivery?: DeliveryMode;
  /** amqp transport: keep the dataset as a plain queue or fanout exchange instead of a stream (pika interop). */
  amqp?: AmqpDatasetOptions;
}

/** Options of `@OnDatasetMessage`. @publicApi */
export interface DatasetHandlerOptions extends ConsumerOptions {
  /** Name of the `StreamingModule` connection (its `name` extra) this handler belongs to. @default the unnamed connection */
  connection?: string;
  /**
   * Run the handler once per message id (header `x-databus-message-id`, set by `produce({ messageId })` and
   * by the outbox): the application's idempotency store (`OutboxModule` of `@databus/outbox`) records the id,
   * in the handler's own database transaction with its PostgreSQL store, and a redelivery is acknowledged
   * without running the handler again. A message without an id is dead-lettered. @default false
   */
  idempotent?: boolean;
}

/**
 * Options of `StreamingModule.forRoot` / `forRootAsync`.
 * @publicApi
 */
export interface StreamingModuleOptions {
  /**
   * Broker URL: `memory://name`, `kafka://b1:9092,b2:9092`, `amqp(s)://user:pass@host/vhost`, `mqtt(s)://host`,
   * `nats://n1:4222,n2:4222`. A comma-separated host list names every broker of a cluster.
   * @default process.env.STREAMING_URL, else `memory://default` — only when the key is absent: an explicit
   * `url: undefined` or `''` (an unset environment variable) is a `ConfigurationError`.
   */
  url?: string;
  /** A custom transport instead of one selected by the URL scheme. */
  transport?: TransportFactory;
  /**
   * Bootstrap from the dataset client's account server instead of a `url`: its `/api/v1/config` gives the
   * gateway, MAS and NATS URLs; `tls` (client certificate + CA) obtains the gateway JWT, which obtains a NATS
   * user JWT per dataset; then the nats transport carries the data. Needs `@databus/auth`.
   */
  accountServer?: string | AccountServerOptions;
  /** Options for the selected transport (see its README). */
  transportOptions?: Record<string, unknown>;
  /** Default consumer group of this application. */
  group?: string;
  /** Identifies this instance to the broker. @default `databus-<hostname>-<pid>` */
  clientId?: string;
  tls?: TlsOptions;
  /** Broker credentials: fixed, or a provider that refreshes them (the auth lib's `jwtCredentials(manager)`). Overrides the URL's user and password. */
  credentials?: BrokerCredentials | CredentialsProvider;
  /** Retry temporary errors (re-subscribe, reconnect) with backoff; `false` surfaces them. @default true */
  retryOnFail?: boolean;
  /** Backoff between reconnect and re-subscribe attempts. @default { initialMs: 100, maxMs: 30_000 } */
  reconnect?: BackoffOptions;
  /** How long `produce` waits for the broker during an outage before failing with `TemporaryError`. @default 30_000 */
  produceTimeoutMs?: number;
  /**
   * Budget of the first connect at bootstrap: transient failures (refused or unreachable host) are retried
   * with `reconnect` backoff, one WARN line per attempt, until this passes; then bootstrap fails with a
   * `TemporaryError` naming this option. Permanent failures (refused credentials, wrong vhost, untrusted
   * certificate, a port that speaks another protocol) fail at once. Same name and default as
   * `TaskQueueModule.connectTimeoutMs`. @default 30_000
   */
  connectTimeoutMs?: number;
  /** Default timeout of `request()`. @default 30_000 */
  requestTimeoutMs?: number;
  /** How long shutdown waits for in-flight handlers. @default 10_000 */
  shutdownTimeoutMs?: number;
  /** A durable group unused for this long may be forgotten by the broker (where it supports expiry). @default 7 days */
  groupExpiryMs?: number;
  /**
   * How often a dataset pattern lists the datasets again to pick up those created since it started, on
   * transports that find them by listing (NATS, Kafka): a new matching dataset is read within about this
   * long, from its first message. Memory and MQTT pick new datasets up at once and never list again.
   * @default 5_000
   */
  patternRefreshMs?: number;
  /** Defaults for every consumer of this connection. */
  consumerDefaults?: ConsumerOptions;
  /** Run `@OnDatasetMessage` handlers. `false` makes an API-only instance that still produces. @default true */
  handlers?: boolean;
  /** Where the suite logs; `false` silences it. @default Nest's `Logger` with context `Streaming` */
  logger?: LoggerService | false;
  /** Where metrics go, e.g. `createPrometheusMetrics()` from `@databus/common`. @default no metrics */
  metrics?: DatabusMetrics;
  /** OpenTelemetry producer/consumer spans and W3C trace context in headers (needs `@opentelemetry/api`). @default true */
  tracing?: boolean;
}

/** Module-shape options (not async): `isGlobal`, and `name` for several connections in one app. @publicApi */
export interface StreamingModuleExtras {
  /** Register the module globally. @default false */
  isGlobal?: boolean;
  /** Connection name; inject it with `@InjectChannel(name)`. @default the unnamed connection */
  name?: string;
}
