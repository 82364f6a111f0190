import {
  AuthenticationError,
  ConfigurationError,
  DatabusError,
  PermanentError,
  redactText,
  TemporaryError,
} from '@databus/common';
import { tlsAgainstPlainPortError, tlsAgainstPlainPortSymptom } from '@databus/common/internal';

/** CONNACK / DISCONNECT reason codes that mean "these credentials are refused" (MQTT 3.1.1 and 5). */
const AUTH_CODES = new Set([4, 5, 134, 135, 138, 140]);
/** Reason codes that mean "this request can never succeed as configured". */
const CONFIG_CODES = new Set([
  1, // 3.1.1: unacceptable protocol version
  2, // 3.1.1: identifier rejected
  132, // unsupported protocol version
  133, // client identifier not valid
  143, // topic filter invalid
  144, // topic name invalid
  149, // packet too large
  153, // payload format invalid
  154, // retain not supported
  155, // QoS not supported
  158, // shared subscriptions not supported
]);
/** Node TLS error codes of a certificate that does not verify. */
const TLS_CODE = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_SSL|ERR_TLS|ALTNAME|DEPTH_ZERO/;

/**
 * Maps an mqtt.js / socket error to the @databus/common hierarchy; `where` says what failed ("connect to
 * mqtt://host"). Messages never contain credentials: URLs are passed in already redacted and the vendor text
 * goes through `redactText`. TLS against a plain port (`mqtts://` to 1883) is a `ConfigurationError` naming
 * `url` and the redacted `address` (as the AMQP connect mapping words it); `handshakePending` says the TLS
 * handshake of a first connect had not completed, so a reset means a plain port (Mosquitto resets it).
 */
export function mapMqttError(
  error: unknown,
  where: string,
  address = where,
  handshakePending = false,
): DatabusError {
  if (error instanceof DatabusError) return error;
  const plainPort = tlsAgainstPlainPortSymptom(error, handshakePending);
  if (plainPort)
    return tlsAgainstPlainPortError(
      address,
      'an mqtts:// address of a TLS listener (Mosquitto: port 8883)',
      error,
      plainPort,
    );
  const err = error as { code?: unknown; message?: unknown } | undefined;
  const code = err?.code;
  const text = redactText(String(err?.message ?? error));
  if (typeof code === 'number') {
    if (AUTH_CODES.has(code))
      return new AuthenticationError(`${where}: the broker refused the credentials (${text})`, {
        cause: error,
      });
    if (code === 158)
      return new ConfigurationError('url', 'a broker that supports MQTT 5 shared subscriptions', {
        cause: error,
      });
    if (CONFIG_CODES.has(code))
      return new PermanentError(`${where}: the broker rejected the request (${text})`, { cause: error });
    return new TemporaryError(`${where}: ${text}`, { cause: error });
  }
  if (typeof code === 'string' && TLS_CODE.test(code))
    return new PermanentError(`${where}: TLS verification failed (${code}: ${text})`, { cause: error });
  return new TemporaryError(`${where}: ${text}`, { cause: error });
}
