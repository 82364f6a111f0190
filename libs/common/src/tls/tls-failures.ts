import { ConfigurationError } from '../errors';

/** Node/OpenSSL error codes meaning the peer's certificate could not be verified against the trusted CAs. */
const UNTRUSTED_PEER_CODES = new Set([
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

/** TLS alerts a server sends when it refuses (or did not get) the client certificate. */
const CLIENT_CERT_REFUSED =
  /alert (certificate required|handshake failure|bad certificate|unknown ca|certificate unknown|access denied)|certificate (required|unknown)|peer did not return a certificate/i;

/**
 * The verification code when `error` says the peer's certificate is not trusted (fix: `tls.ca`), else
 * `undefined`.
 */
export function untrustedPeerCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && UNTRUSTED_PEER_CODES.has(code) ? code : undefined;
}

/** True when `error` says the server refused the client certificate, or wanted one (fix: `tls.cert`/`tls.key`/`tls.pfx`). */
export function isClientCertificateRefused(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return CLIENT_CERT_REFUSED.test(message);
}

/**
 * True when `error` says a TLS handshake got a clear-text answer (OpenSSL's `wrong version number`): TLS
 * against a port that does not speak TLS, such as `amqps://` to 5672 or `mqtts://` to 1883. Permanent: the
 * same address will answer the same way.
 */
export function isTlsAgainstPlainPort(error: unknown): boolean {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number/i.test(message);
}

/**
 * The error for TLS against a plain port, worded the same by every transport of every lib: a
 * `ConfigurationError` naming `url`, saying what to connect to instead and why.
 * @param address the redacted address that was tried (e.g. `mqtts://127.0.0.1:1883`)
 * @param tlsListener what `url` should be, e.g. `an mqtts:// address of a TLS listener (Mosquitto: port 8883)`
 */
export function tlsAgainstPlainPortError(
  address: string,
  tlsListener: string,
  cause: unknown,
): ConfigurationError {
  return new ConfigurationError('url', tlsListener, {
    received: `${address}, where the server does not speak TLS (wrong version number)`,
    cause,
  });
}
