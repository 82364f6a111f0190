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
 * What says that TLS was tried against a port that does not speak TLS, or `undefined`: a clear-text answer to
 * the handshake (OpenSSL's `wrong version number`: RabbitMQ's 5672 answers with its protocol header), or,
 * when `handshakePending` (the TLS handshake had not completed), a connection the server reset or closed
 * (Mosquitto's 1883 drops a ClientHello it reads as a malformed packet). Permanent: the same address will
 * answer the same way.
 */
export function tlsAgainstPlainPortSymptom(error: unknown, handshakePending = false): string | undefined {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number/i.test(message))
    return 'wrong version number';
  if (
    handshakePending &&
    (code === 'ECONNRESET' || /before secure TLS connection was established/i.test(message))
  )
    return 'the connection was reset during the TLS handshake';
  return undefined;
}

/** True when `tlsAgainstPlainPortSymptom` finds a symptom. */
export function isTlsAgainstPlainPort(error: unknown, handshakePending = false): boolean {
  return tlsAgainstPlainPortSymptom(error, handshakePending) !== undefined;
}

/**
 * The error for TLS against a plain port, worded the same by every transport of every lib: a
 * `ConfigurationError` naming `url`, saying what to connect to instead and why.
 * @param address the redacted address that was tried (e.g. `mqtts://127.0.0.1:1883`)
 * @param tlsListener what `url` should be, e.g. `an mqtts:// address of a TLS listener (Mosquitto: port 8883)`
 * @param symptom what showed it (`tlsAgainstPlainPortSymptom`)
 */
export function tlsAgainstPlainPortError(
  address: string,
  tlsListener: string,
  cause: unknown,
  symptom = 'wrong version number',
): ConfigurationError {
  return new ConfigurationError('url', tlsListener, {
    received: `${address}, where the server does not speak TLS (${symptom})`,
    cause,
  });
}
