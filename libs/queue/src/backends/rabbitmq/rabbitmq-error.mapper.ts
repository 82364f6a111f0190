import {
  AuthenticationError,
  ConfigurationError,
  DatabusError,
  PermanentError,
  redactText,
  TemporaryError,
} from '@databus/common';

/** AMQP 0-9-1 reply codes this lib reacts to (spec section 1.2). */
export const AmqpReplyCode = Object.freeze({
  CONNECTION_FORCED: 320,
  ACCESS_REFUSED: 403,
  NOT_FOUND: 404,
  RESOURCE_LOCKED: 405,
  PRECONDITION_FAILED: 406,
});

const TLS_UNTRUSTED_SERVER = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

const CLIENT_CERT_REFUSED =
  /alert (certificate required|handshake failure|bad certificate|unknown ca|certificate unknown|access denied)|peer did not return a certificate/i;

/**
 * Turns an amqplib or socket error into the databus hierarchy, with `cause` kept and secrets masked:
 * - TLS: an untrusted broker certificate or a refused client certificate → `AuthenticationError` naming the
 *   option to check; refused login (403) → `AuthenticationError`;
 * - channel errors 404/405/406 → `PermanentError` (`ConfigurationError` for a queue declared with other
 *   arguments);
 * - anything else (refused or reset sockets, forced closes, closed channels) → `TemporaryError`.
 */
export function mapAmqpError(error: unknown, where: string): DatabusError {
  if (error instanceof DatabusError) return error;
  const err = error as { code?: unknown; message?: string };
  const code = err?.code;
  const message = redactText(String(err?.message ?? error));
  if (typeof code === 'string' && TLS_UNTRUSTED_SERVER.has(code))
    return new AuthenticationError(
      `TLS to ${where} failed: the broker's certificate is not trusted (${code}); check tls.ca and tls.servername.`,
      { cause: error },
    );
  const refused = CLIENT_CERT_REFUSED.exec(message);
  if (refused || (typeof code === 'string' && /ALERT/.test(code)))
    return new AuthenticationError(
      `TLS to ${where} failed: the broker refused the client certificate (${typeof code === 'string' ? code : refused?.[0]}); check tls.cert and tls.key, or tls.pfx.`,
      { cause: error },
    );
  if (code === AmqpReplyCode.ACCESS_REFUSED || /ACCESS[-_]REFUSED/.test(message))
    return new AuthenticationError(`${where} refused the credentials or the access: ${message}`, {
      cause: error,
    });
  if (code === AmqpReplyCode.PRECONDITION_FAILED && /inequivalent arg/i.test(message))
    return new ConfigurationError(
      'TaskQueueModule.maxPriority',
      `the same queue arguments as the existing queue (${message})`,
      { cause: error },
    );
  if (
    code === AmqpReplyCode.NOT_FOUND ||
    code === AmqpReplyCode.RESOURCE_LOCKED ||
    code === AmqpReplyCode.PRECONDITION_FAILED
  )
    return new PermanentError(`${where}: ${message}`, { cause: error });
  return new TemporaryError(`${where}: ${message}`, { cause: error });
}

/** True for an error that closed only a channel and will happen again if retried as is. */
export function isChannelServerError(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return (
    code === AmqpReplyCode.NOT_FOUND ||
    code === AmqpReplyCode.RESOURCE_LOCKED ||
    code === AmqpReplyCode.PRECONDITION_FAILED ||
    code === AmqpReplyCode.ACCESS_REFUSED
  );
}
