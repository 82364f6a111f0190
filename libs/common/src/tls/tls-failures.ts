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
