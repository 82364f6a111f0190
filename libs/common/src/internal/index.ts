/**
 * @databus/common/internal: the mechanisms that the databus libs share with each other and that a user of
 * the suite never calls: the Nest handler invoker and messaging catalog, the shutdown drain, the request/reply
 * table, same-tick batching, tracing spans, health and metrics resolution, the TLS socket mapping and TLS
 * failure classification, the known-options check, reading a broker's credentials, a forget-on-failure
 * promise memo. Not part of the public API: its names may change in any release. The public names are in
 * `@databus/common`.
 * @packageDocumentation
 */
export { errorMessage } from '../errors';
export {
  connectWithin,
  DEFAULT_CONNECT_TIMEOUT_MS,
  type ConnectBudget,
  raceAbort,
  raceTimeout,
  settlesWithin,
} from '../retry';
export {
  type TlsSocketOptions,
  tlsSocketOptions,
  untrustedPeerCode,
  isClientCertificateRefused,
  isTlsAgainstPlainPort,
  tlsAgainstPlainPortError,
  tlsAgainstPlainPortSymptom,
  assertTlsScheme,
} from '../tls';
export { formatHostPort, describeBrokerUrl, assertKnownOptions, describeValue } from '../config';
export {
  resolveMetrics,
  type MessagingSpanInfo,
  injectTraceContext,
  withMessagingSpan,
  tracingAvailable,
  tracingActive,
  healthResult,
  connectionVerdict,
  connectionHealth,
  type ConnectionHealthInput,
  EventHub,
} from '../observability';
export {
  AmqpReplyCode,
  amqpReplyCode,
  DELIVERY_MODES,
  PendingReplies,
  type HttpAnswer,
  readHttpAnswer,
} from '../protocol';
export * from '../lifecycle';
export * from '../nest';
export { type ProviderLookup, requireIdempotencyStore, idempotentInvoker } from '../idempotency';
export { readBrokerCredentials } from '../credentials/read-credentials';
export { PromiseMemo } from '../memo';
export * from '../batching';
