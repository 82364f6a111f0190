/**
 * @databus/common: the bottom layer shared by every databus lib. It depends on no other lib. What a user of
 * the suite reads, throws, configures or implements:
 * - errors: `DatabusError` ← `TemporaryError` ← `ConsumerError`; `DatabusError` ← `PermanentError` ←
 *   `UnsupportedFeatureError`, `ConfigurationError`, `AuthenticationError`, `PayloadDecodeError`; `RequestTimeoutError`
 * - retry: exponential backoff with jitter, `retry()` that retries only retriable errors
 * - tls: loading of CA bundles, client certificates and PKCS#12 bundles from paths or PEM text
 * - config: broker URL parsing (clusters as comma-separated hosts) and option validators
 * - logging: redaction of secrets
 * - credentials, metrics, health results, delivery modes and AMQP declaration options
 * - idempotency: the inbox seam of `idempotent: true` handlers (the store interface, implemented by outbox)
 *
 * The mechanisms the sibling libs share (Nest handler invoker, shutdown drain, messaging catalog, request/reply
 * table, same-tick batching, tracing, TLS socket options, known-options check…) are in
 * `@databus/common/internal`, which is not public API.
 */
export {
  DatabusError,
  isRetriable,
  TemporaryError,
  ConsumerError,
  PermanentError,
  UnsupportedFeatureError,
  ConfigurationError,
  AuthenticationError,
  PayloadDecodeError,
  RequestTimeoutError,
  isPermanentFailure,
} from './errors';
export {
  type BackoffOptions,
  type ResolvedBackoff,
  DEFAULT_BACKOFF,
  resolveBackoff,
  backoffDelay,
  sleep,
  type SleepOptions,
  type RetryOptions,
  type RetryContext,
  type RetryVerdict,
  type RetryAttemptReport,
  retry,
  RetriesExhaustedError,
  describeAttempt,
} from './retry';
export { type TlsOptions, type LoadedTls, type TlsWarn, loadTlsMaterial } from './tls';
export {
  type BrokerUrl,
  type BrokerHost,
  parseBrokerUrl,
  redactUrl,
  assertInteger,
  assertDuration,
  assertNonEmptyString,
  assertOneOf,
} from './config';
export * from './logging';
export * from './credentials';
export {
  type DatabusMetrics,
  type DatabusCounter,
  type DatabusHistogram,
  type DatabusGauge,
  type MetricLabels,
  noopMetrics,
  createPrometheusMetrics,
  type HealthEntry,
  type HealthResult,
  type HealthVerdict,
} from './observability';
export type { AmqpDeclareOptions, DeliveryMode } from './protocol';
export {
  type IdempotencyStore,
  type IdempotentDelivery,
  type IdempotentOutcome,
  IDEMPOTENCY_STORE,
} from './idempotency';
