import {
  AuthenticationError,
  ConfigurationError,
  DatabusError,
  PermanentError,
  redactText,
  TemporaryError,
  AmqpReplyCode,
  isClientCertificateRefused,
  untrustedPeerCode,
} from '@databus/common';

export { AmqpReplyCode };

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
  const untrusted = untrustedPeerCode(error);
  if (untrusted)
    return new AuthenticationError(
      `TLS to ${where} failed: the broker's certificate is not trusted (${untrusted}); check tls.ca and tls.servername.`,
      { cause: error },
    );
  if (isClientCertificateRefused(message) || (typeof code === 'string' && /ALERT/.test(code)))
    return new AuthenticationError(
      `TLS to ${where} failed: the broker refused the client certificate (${typeof code === 'string' ? code : message}); check tls.cert and tls.key, or tls.pfx.`,
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
