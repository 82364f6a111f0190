import {
  AuthenticationError,
  ConfigurationError,
  DatabusError,
  errorMessage,
  TemporaryError,
} from '../errors';
import { redactText } from '../logging';
import { AmqpReplyCode, amqpReplyCode } from '../protocol';
import {
  isClientCertificateRefused,
  isTlsAgainstPlainPort,
  tlsAgainstPlainPortError,
  untrustedPeerCode,
} from '../tls';

/**
 * Maps a failure to open an AMQP connection, the same way for every databus lib (so one broker fault reads
 * the same from `@databus/streaming` and `@databus/queue`). Permanent at once:
 * - refused credentials (403 in the handshake) → `AuthenticationError` naming `credentials`;
 * - an unknown or forbidden vhost → `ConfigurationError` naming `url`;
 * - a port that speaks another protocol (the first frame is garbage) → `ConfigurationError` naming `url`;
 * - TLS against a plain port (`wrong version number`) → `ConfigurationError` naming `url`;
 * - a broker certificate that cannot be verified → `ConfigurationError` naming `tls.ca`;
 * - a client certificate the broker rejected → `AuthenticationError` naming `tls.cert`.
 * Anything else (refused, reset, timeouts, DNS) → `TemporaryError`. `where` is the redacted address.
 */
export function mapAmqpConnectError(error: unknown, where: string): DatabusError {
  if (error instanceof DatabusError) return error;
  const text = redactText(errorMessage(error));
  const code = (error as { code?: unknown })?.code;
  if (amqpReplyCode(error) === AmqpReplyCode.ACCESS_REFUSED || /ACCESS[-_]REFUSED/.test(text))
    return new AuthenticationError(
      `The broker at ${where} refused the credentials (${text}); check the user name and password of url, username/password or credentials.`,
      { cause: error },
    );
  if (
    (/NOT[-_]ALLOWED|530/.test(text) && /vhost/i.test(text)) ||
    /Expected ConnectionOpenOk; got <ConnectionClose/.test(text)
  )
    return new ConfigurationError(
      'url',
      'a virtual host that exists on the broker and that the user may access',
      {
        received: where,
        cause: error,
      },
    );
  if (/Frame size \d+ exceeds|Unexpected frame|Invalid frame|Expected ConnectionStart/i.test(text))
    return new ConfigurationError('url', 'the address of an AMQP 0-9-1 listener', {
      received: `${where}, where the server does not speak AMQP (${text})`,
      cause: error,
    });
  if (isTlsAgainstPlainPort(error))
    return tlsAgainstPlainPortError(
      where,
      'an amqps:// address of a TLS listener (RabbitMQ: port 5671)',
      error,
    );
  const untrusted = untrustedPeerCode(error);
  if (untrusted)
    return new ConfigurationError('tls.ca', `a CA that verifies the broker's certificate`, {
      received: `${where}, whose certificate is not trusted (${untrusted}); check tls.ca and tls.servername`,
      cause: error,
    });
  if (isClientCertificateRefused(text) || (typeof code === 'string' && /ALERT/.test(code)))
    return new AuthenticationError(
      `The broker at ${where} refused the client certificate (${typeof code === 'string' ? code : text}); check tls.cert and tls.key, or tls.pfx.`,
      { cause: error },
    );
  return new TemporaryError(`Cannot connect to ${where}: ${text}`, { cause: error });
}
