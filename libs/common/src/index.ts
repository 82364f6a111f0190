/**
 * @databus/common: the bottom layer shared by every databus lib. It depends on no other lib.
 * - errors: `DatabusError` ← `TemporaryError` ← `ConsumerError`; `DatabusError` ← `PermanentError` ←
 *   `UnsupportedFeatureError`, `ConfigurationError`, `AuthenticationError`, `PayloadDecodeError`; `RequestTimeoutError`
 * - retry: exponential backoff with jitter, `retry()` that retries only retriable errors
 * - tls: loading of CA bundles, client certificates and PKCS#12 bundles from paths or PEM text
 * - config: broker URL parsing (clusters as comma-separated hosts) and option validators
 * - logging: redaction of secrets
 * - lifecycle: the shutdown drain that runs before user providers are destroyed
 * - nest: the handler context creator both libs wrap their handlers with (structural, no Nest import)
 * - idempotency: the inbox seam of `idempotent: true` handlers (the store interface, implemented by outbox)
 * - batching: `TickCoalescer`, the same-tick coalescing of single sends into batches (every producer path)
 */
export * from './errors';
export * from './retry';
export * from './tls';
export * from './config';
export * from './logging';
export * from './credentials';
export * from './observability';
export * from './protocol';
export * from './lifecycle';
export * from './nest';
export * from './idempotency';
export * from './batching';
