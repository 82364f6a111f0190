import {
  AuthenticationError,
  ConfigurationError,
  ConsumerError,
  DatabusError,
  PermanentError,
  redactText,
  TemporaryError,
  AmqpReplyCode,
  amqpReplyCode,
  isClientCertificateRefused,
  untrustedPeerCode,
} from '@databus/common';

export { AmqpReplyCode };

/** The AMQP reply code of an amqplib error (`error.code` is numeric for protocol errors). */
export const replyCode = amqpReplyCode;

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
  const untrusted = untrustedPeerCode(error);
  if (untrusted)
    return new ConfigurationError('tls.ca', `a CA that verifies the certificate of ${where} (${untrusted})`, {
      cause: error,
    });
  if (isClientCertificateRefused(text))
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
