import type { LoggerService } from '@nestjs/common';
import type { BackoffOptions, CredentialsProvider, DatabusMetrics, TlsOptions } from '@databus/common';
import type { MemoryBroker } from '../backends/memory/memory-broker';

/**
 * How a failing handler is retried before its message is dead-lettered.
 * @publicApi
 */
export interface TaskRetryOptions {
  /** Total attempts including the first; 1 means "never retry". @default 5 */
  attempts?: number;
  /** Delay before each retry (exponential, with jitter). @default { initialMs: 1000, maxMs: 60000, factor: 2, jitter: 0.2 } */
  backoff?: BackoffOptions;
}

/**
 * Options of `TaskQueueModule.forRoot` / `forRootAsync`.
 * @publicApi
 */
export interface TaskQueueModuleOptions {
  /**
   * `amqp://user:pass@host[:port][,host2…]/vhost`, `amqps://…` or `memory://`. Credentials in the URL are
   * used unless `username`/`password` or `credentials` are given.
   */
  url: string;
  /** TLS material for `amqps://` (CA, client certificate and key, or PKCS#12). Verification is on. */
  tls?: TlsOptions;
  /** Overrides the URL's user name (for example from `ConfigService`). */
  username?: string;
  /** Overrides the URL's password. Never logged. */
  password?: string;
  /**
   * A credentials source read before every (re)connect; the auth lib's provider returns a JWT that is used
   * as the password. A refresh updates the live connection's secret.
   */
  credentials?: CredentialsProvider;
  /** Unsettled messages each consumer may hold. Must be >= every handler's concurrency. @default 20 */
  prefetch?: number;
  /** `x-max-priority` of the queues this module declares; 0 = no priorities. @default 0 */
  maxPriority?: number;
  /** Default retry policy of handlers. */
  retry?: TaskRetryOptions;
  /** How long shutdown waits for in-flight handlers before closing anyway. @default 10000 */
  shutdownTimeoutMs?: number;
  /** How long a publish waits for the connection and the confirm before failing with `TemporaryError`. @default 10000 */
  publishTimeoutMs?: number;
  /** How long the first connection may take before startup fails. @default 30000 */
  connectTimeoutMs?: number;
  /** Default timeout of `TaskQueue.request`. @default 10000 */
  requestTimeoutMs?: number;
  /** Backoff between reconnect attempts after a connection loss. @default { initialMs: 100, maxMs: 5000 } */
  reconnect?: BackoffOptions;
  /** AMQP heartbeat in seconds. @default 10 */
  heartbeatSeconds?: number;
  /**
   * Runs the `@TaskHandler` / `@EventSubscriber` handlers found in this app; `false` makes an API-only
   * instance that still enqueues, publishes and requests. @default true
   */
  handlers?: boolean;
  /** @deprecated Use `handlers`; `registerHandlers: false` is the same as `handlers: false`. */
  registerHandlers?: boolean;
  /**
   * Where this connection logs (context `TaskQueue:<name>` as the last argument); `false` silences it.
   * @default Nest's `Logger` with context `TaskQueue:<name>`
   */
  logger?: LoggerService | false;
  /** Where metrics go, e.g. `createPrometheusMetrics()` from `@databus/common`. @default no metrics */
  metrics?: DatabusMetrics;
  /**
   * OpenTelemetry spans (`publish <queue>`, `process <queue>`) with the W3C trace context in message
   * headers; a no-op unless `@opentelemetry/api` and an SDK are installed. @default true
   */
  tracing?: boolean;
  /** For `memory://`: the in-process broker to share between modules or apps; default a private one. */
  memoryBroker?: MemoryBroker;
}

/** Extras of the module definition: they shape the module, so they never come from async configuration. */
export interface TaskQueueModuleExtras {
  /** Registers the module globally. @default false */
  isGlobal?: boolean;
  /** Connection name for several connections in one app; inject with `@InjectTaskQueue(name)`. @default 'default' */
  name?: string;
}
