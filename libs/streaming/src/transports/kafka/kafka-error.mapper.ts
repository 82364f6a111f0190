import {
  AuthenticationError,
  ConfigurationError,
  DatabusError,
  PermanentError,
  redactText,
  TemporaryError,
} from '@databus/common';
import { SubscriptionLostError } from '../../errors';

/** What was being done when a Kafka client failed; it shapes the message and the error class. */
export type KafkaOperation = 'connect' | 'produce' | 'consume' | 'commit' | 'admin';

/** Shape of the errors kafkajs throws (read by name and type, so no kafkajs import is needed here). */
interface ClientErrorLike {
  name?: string;
  message?: string;
  type?: string;
  code?: string;
  retriable?: boolean;
  cause?: unknown;
}

const AUTH_TYPES = new Set(['SASL_AUTHENTICATION_FAILED', 'ILLEGAL_SASL_STATE']);
const AUTHZ_TYPES = new Set([
  'TOPIC_AUTHORIZATION_FAILED',
  'GROUP_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
  'DELEGATION_TOKEN_AUTHORIZATION_FAILED',
]);
/** Group membership changed under the consumer: the commit or fetch must be redone after the rejoin. */
export const REBALANCE_TYPES = new Set([
  'REBALANCE_IN_PROGRESS',
  'ILLEGAL_GENERATION',
  'UNKNOWN_MEMBER_ID',
  'NOT_COORDINATOR_FOR_GROUP',
  'GROUP_COORDINATOR_NOT_AVAILABLE',
  'GROUP_LOAD_IN_PROGRESS',
]);
/** Node TLS verification failures: the peer's certificate is not trusted. */
const TLS_VERIFY_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);
/** TLS alerts by which the broker refuses our client certificate. */
const TLS_REFUSED = /alert (bad certificate|certificate required|unknown ca|certificate unknown)/i;

/**
 * Maps a Kafka client error to the `@databus/common` hierarchy, keeping it as `cause`:
 * - SASL failures and `*_AUTHORIZATION_FAILED` → `AuthenticationError`; TLS verification → `PermanentError`;
 * - an invalid topic name → `ConfigurationError` naming `dataset`; an oversized record → `PermanentError`;
 * - connection loss, timeouts, rebalances and other retriable errors → `TemporaryError`, or
 *   `SubscriptionLostError` (a `ConsumerError`) while consuming: the runtime then re-subscribes from the
 *   committed position;
 * - a `DatabusError` is returned unchanged. Messages are passed through `redactText`.
 */
export function mapKafkaError(error: unknown, operation: KafkaOperation, subject?: string): DatabusError {
  if (error instanceof DatabusError) return error;
  const root = rootCause(error);
  const what = subject ? `${describeOperation(operation)} "${subject}"` : describeOperation(operation);
  const detail = redactText(messageOf(root) || messageOf(error) || String(error));
  const options = { cause: error };
  if (isAuthenticationFailure(root))
    return new AuthenticationError(`Kafka refused the credentials (${what}): ${detail}`, options);
  if (root.type && AUTHZ_TYPES.has(root.type))
    return new AuthenticationError(`Kafka refused access (${what}): ${root.type}`, options);
  if (root.code && TLS_VERIFY_CODES.has(root.code))
    return new PermanentError(`TLS verification of the Kafka broker failed (${what}): ${root.code}`, options);
  if (TLS_REFUSED.test(detail))
    return new AuthenticationError(
      `The Kafka broker refused the client certificate (${what}): ${detail}`,
      options,
    );
  if (root.type === 'UNSUPPORTED_SASL_MECHANISM')
    return new ConfigurationError(
      'transportOptions.sasl.mechanism',
      'a SASL mechanism the broker enables',
      options,
    );
  if (root.type === 'INVALID_TOPIC_EXCEPTION')
    return new ConfigurationError(
      'dataset',
      'a Kafka topic name (letters, digits, ".", "_", "-"; at most 249 characters)',
      { ...options, received: subject === undefined ? undefined : JSON.stringify(subject) },
    );
  if (root.type === 'MESSAGE_TOO_LARGE' || root.type === 'RECORD_LIST_TOO_LARGE')
    return new PermanentError(`Kafka rejected a record as too large (${what}): ${detail}`, options);
  if (isTemporary(error, root)) {
    const message = `Kafka is unavailable (${what}): ${detail}`;
    return operation === 'consume'
      ? new SubscriptionLostError(message, options)
      : new TemporaryError(message, options);
  }
  return new PermanentError(`Kafka failed (${what}): ${detail}`, options);
}

/** True when `error` (or its cause) says the consumer group is rebalancing. */
export function isRebalanceError(error: unknown): boolean {
  for (let e = error as ClientErrorLike | undefined, depth = 0; e && depth < 8; depth++) {
    if (e.type && REBALANCE_TYPES.has(e.type)) return true;
    e = e.cause as ClientErrorLike | undefined;
  }
  return false;
}

function isAuthenticationFailure(root: ClientErrorLike): boolean {
  return root.name === 'KafkaJSSASLAuthenticationError' || (!!root.type && AUTH_TYPES.has(root.type));
}

function isTemporary(error: unknown, root: ClientErrorLike): boolean {
  if (isRebalanceError(error)) return true;
  const name = root.name ?? '';
  if (
    /Connection|Timeout|BrokerNotFound|NoBrokerAvailable|MetadataNotLoaded|GroupCoordinatorNotFound/.test(
      name,
    )
  )
    return true;
  if (
    root.code &&
    /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH)$/.test(root.code)
  )
    return true;
  return root.retriable === true;
}

/** Follows `cause` (kafkajs wraps the last failure in `KafkaJSNumberOfRetriesExceeded`) to the first error. */
function rootCause(error: unknown): ClientErrorLike {
  let current = (error ?? {}) as ClientErrorLike;
  for (let depth = 0; depth < 8; depth++) {
    const cause = current.cause as ClientErrorLike | undefined;
    if (!cause || typeof cause !== 'object') break;
    current = cause;
  }
  return current;
}

function messageOf(error: unknown): string {
  return typeof (error as ClientErrorLike)?.message === 'string'
    ? ((error as ClientErrorLike).message as string)
    : '';
}

function describeOperation(operation: KafkaOperation): string {
  switch (operation) {
    case 'connect':
      return 'connecting';
    case 'produce':
      return 'producing to';
    case 'consume':
      return 'consuming';
    case 'commit':
      return 'committing';
    case 'admin':
      return 'admin request';
  }
}
