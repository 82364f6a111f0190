import {
  AuthenticationError,
  ConfigurationError,
  ConsumerError,
  DatabusError,
  PermanentError,
  redactText,
  TemporaryError,
} from '@databus/common';
import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import { errors } from './nats-client';

/** Where the failure happened: `consume` failures become `ConsumerError` (the runtime re-subscribes). */
export type NatsErrorContext = 'connect' | 'produce' | 'consume' | 'admin' | 'request' | 'reply';

/**
 * Maps a nats.js / JetStream failure to the databus hierarchy (the original is kept as `cause`):
 * - refused or expired credentials → `AuthenticationError`;
 * - a TLS certificate that does not verify → `PermanentError` (retrying cannot fix it);
 * - missing permissions, invalid subjects or arguments, other JetStream 4xx answers → `PermanentError`
 *   (`ConfigurationError` where an option is at fault);
 * - consumer or stream gone → `ConsumerError` (the subscription is lost; re-subscribing recreates it);
 * - anything about the connection (refused, closed, timeouts, no responders while JetStream restarts)
 *   → `TemporaryError` (`ConsumerError` while consuming).
 * Messages are redacted; nats.js never puts secrets in its own messages, this is belt and braces.
 */
export function mapNatsError(error: unknown, context: NatsErrorContext, what = ''): DatabusError {
  if (error instanceof DatabusError) return error;
  const cause = error instanceof Error ? error : new Error(String(error));
  const text = redactText(`nats ${context}${what ? ` ${what}` : ''} failed: ${cause.message}`);
  if (cause instanceof errors.AuthorizationError || cause instanceof errors.UserAuthenticationExpiredError)
    return new AuthenticationError(text, { cause });
  if (cause instanceof errors.PermissionViolationError) return new PermanentError(text, { cause });
  if (cause instanceof errors.InvalidSubjectError || cause instanceof errors.InvalidArgumentError)
    return new PermanentError(text, { cause });
  if (isTlsFailure(cause))
    return new PermanentError(
      `${text} (TLS: check the CA bundle, the server name and the client certificate)`,
      { cause },
    );
  if (cause.name === 'JetStreamNotEnabled')
    return new ConfigurationError('url', 'a NATS server with JetStream enabled for this account', { cause });
  if (cause instanceof JetStreamApiError) {
    if (cause.code === JetStreamApiCodes.ConsumerNotFound || cause.code === JetStreamApiCodes.StreamNotFound)
      return new ConsumerError(text, { cause });
    if (cause.status >= 400 && cause.status < 500 && cause.status !== 408)
      return new PermanentError(text, { cause });
  }
  return context === 'consume' ? new ConsumerError(text, { cause }) : new TemporaryError(text, { cause });
}

/** True when `error` (or its cause) says nothing listens on the subject: JetStream restarting, or no stream. */
export function isNoResponders(error: unknown): boolean {
  for (let e = error as Error | undefined, depth = 0; e && depth < 4; e = e.cause as Error, depth++)
    if (e instanceof errors.NoRespondersError) return true;
  return false;
}

/** True for "consumer not found" answers of the JetStream API. */
export function isConsumerNotFound(error: unknown): boolean {
  return error instanceof JetStreamApiError && error.code === JetStreamApiCodes.ConsumerNotFound;
}

/** True for "stream not found" answers of the JetStream API. */
export function isStreamNotFound(error: unknown): boolean {
  return error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound;
}

/** Node's certificate verification and TLS handshake error codes. */
const TLS_CODE = /^(UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|CERT_|HOSTNAME_MISMATCH|ERR_TLS_|ERR_SSL_)/;

const TLS_MESSAGE =
  /unable to verify the first certificate|self[- ]signed certificate|certificate has expired|unable to get (local )?issuer certificate|Hostname\/IP does not match|wrong version number/i;

/** True when `error` (or its cause) is a failed TLS verification or handshake. */
export function isTlsFailure(error: unknown): boolean {
  for (let e = error as (Error & { code?: unknown }) | undefined, depth = 0; e && depth < 4; depth++) {
    if (typeof e.code === 'string' && TLS_CODE.test(e.code)) return true;
    if (typeof e.message === 'string' && TLS_MESSAGE.test(e.message)) return true; // nats.js may keep only the text
    e = e.cause as (Error & { code?: unknown }) | undefined;
  }
  return false;
}
