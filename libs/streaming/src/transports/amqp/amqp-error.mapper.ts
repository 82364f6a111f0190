import {
  AuthenticationError,
  ConfigurationError,
  ConsumerError,
  DatabusError,
  PermanentError,
  redactText,
  TemporaryError,
} from '@databus/common';

/** AMQP 0-9-1 reply codes the transport reacts to. */
export const AmqpReplyCode = Object.freeze({
  CONNECTION_FORCED: 320,
  ACCESS_REFUSED: 403,
  NOT_FOUND: 404,
  RESOURCE_LOCKED: 405,
  PRECONDITION_FAILED: 406,
  NOT_ALLOWED: 530,
  INTERNAL_ERROR: 541,
});

/** Node/OpenSSL error codes meaning the broker's certificate could not be verified. */
const TLS_VERIFY_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_SIGNATURE_FAILURE',
]);

/** The AMQP reply code of an amqplib error (`error.code` is numeric for protocol errors). */
export function replyCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'number' ? code : undefined;
}

/** The broker's message without secrets, for our own error messages. */
function describe(error: unknown): string {
  return redactText(error instanceof Error ? error.message : String(error));
}

/**
 * Maps a failure to open a connection to the databus hierarchy:
 * - refused credentials (403 during the handshake) → `AuthenticationError`;
 * - an unknown or forbidden vhost (530, or a ConnectionClose answering connection.open) → `ConfigurationError`
 *   naming `url`;
 * - a broker certificate that cannot be verified → `ConfigurationError` naming `tls.ca`;
 * - a client certificate the broker rejected → `AuthenticationError`;
 * - anything else (refused, reset, timeouts, DNS) → `TemporaryError`.
 * `where` is the redacted address.
 */
export function mapConnectError(error: unknown, where: string): DatabusError {
  if (error instanceof DatabusError) return error;
  const text = describe(error);
  const code = (error as { code?: unknown })?.code;
  if (/ACCESS[-_]REFUSED|403/.test(text) && /handshake/i.test(text))
    return new AuthenticationError(`The broker at ${where} refused the credentials (${text}).`, {
      cause: error,
    });
  // RabbitMQ refuses connection.open only for a vhost that is unknown or that the user may not access
  // (530 NOT_ALLOWED); amqplib reports it as an unexpected ConnectionClose during the handshake.
  const vhostRefused =
    (/NOT[-_]ALLOWED|530/.test(text) && /vhost/i.test(text)) ||
    /Expected ConnectionOpenOk; got <ConnectionClose/.test(text);
  if (vhostRefused)
    return new ConfigurationError(
      'url',
      'a virtual host that exists on the broker and that the user may access',
      {
        received: where,
        cause: error,
      },
    );
  if (typeof code === 'string' && TLS_VERIFY_CODES.has(code))
    return new ConfigurationError('tls.ca', `a CA that verifies the certificate of ${where} (${code})`, {
      cause: error,
    });
  if (/alert (certificate required|bad certificate|unknown ca)|certificate (required|unknown)/i.test(text))
    return new AuthenticationError(`The broker at ${where} rejected the client certificate (${text}).`, {
      cause: error,
    });
  return new TemporaryError(`Cannot connect to ${where}: ${text}`, { cause: error });
}

/**
 * Maps a failure of a channel operation. Protocol errors that repeating cannot fix (a stream declared with
 * other arguments, access refused on a queue) are permanent; everything else (connection or channel lost)
 * is temporary, as `ConsumerError` when `consumer` is set so the runtime re-subscribes.
 */
export function mapChannelError(error: unknown, operation: string, consumer = false): DatabusError {
  if (error instanceof DatabusError) return error;
  const text = describe(error);
  const code = replyCode(error);
  if (code === AmqpReplyCode.ACCESS_REFUSED)
    return new AuthenticationError(`${operation} was refused by the broker (${text}).`, { cause: error });
  if (code === AmqpReplyCode.PRECONDITION_FAILED || code === AmqpReplyCode.NOT_ALLOWED)
    return new PermanentError(`${operation} failed: ${text}`, { cause: error });
  const message = `${operation} failed: ${text}`;
  return consumer
    ? new ConsumerError(message, { cause: error })
    : new TemporaryError(message, { cause: error });
}
