import * as http from 'node:http';
import * as https from 'node:https';
import { DatabusError, RequestTimeoutError, redactText } from '@databus/common';
import { HttpAnswer, readHttpAnswer } from '@databus/common/internal';
import { MAX_TOKEN_RESPONSE_BYTES } from '../auth.constants';
import { TokenRejectedError, TokenRequestError } from '../auth.errors';

/** One request to a token endpoint. */
export interface TokenHttpRequest {
  url: URL;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  agent: http.Agent;
  signal: AbortSignal;
  /** True when the TLS handshake presents a client certificate (mTLS). */
  clientCertificate?: boolean;
}

/** The endpoint's answer, body read as text. */
export type TokenHttpResponse = HttpAnswer;

/** Server-certificate verification failures reported by Node (the CA bundle does not trust the server). */
const CERT_VERIFY_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'HOSTNAME_MISMATCH',
]);

/** The URL without credentials, query or fragment: what error messages may show. */
export function describeEndpoint(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

/** Sends one token request and reads the answer (at most 1 MiB). Transport failures are classified. */
export function sendTokenRequest(request: TokenHttpRequest): Promise<TokenHttpResponse> {
  const transport = request.url.protocol === 'https:' ? https : http;
  return new Promise<TokenHttpResponse>((resolve, reject) => {
    let handshakeDone = false;
    let answered = false;
    const classify = (error: unknown): Error => {
      try {
        return classifyTransportError(error, request, { afterHandshake: handshakeDone && !answered });
      } catch {
        return new TokenRequestError(`The token request to ${describeEndpoint(request.url)} failed.`);
      }
    };
    const tooLarge = () =>
      new TokenRequestError(
        `The token endpoint ${describeEndpoint(request.url)} answered more than ${MAX_TOKEN_RESPONSE_BYTES} bytes.`,
      );
    const req = transport.request(
      request.url,
      { method: request.method, headers: request.headers, agent: request.agent, signal: request.signal },
      (res) => {
        answered = true;
        readHttpAnswer(res, MAX_TOKEN_RESPONSE_BYTES, tooLarge, classify).then(resolve, reject);
      },
    );
    req.on('socket', (socket) => socket.once('secureConnect', () => (handshakeDone = true)));
    req.on('error', (error) => reject(classify(error)));
    req.end(request.body);
  });
}

/**
 * Maps a Node transport error of a token request to the databus hierarchy:
 * - the abort reason when the manager aborted (timeout → `RequestTimeoutError`, shutdown);
 * - certificate and TLS failures → `TokenRejectedError` (permanent: same certificate, same result);
 * - with TLS 1.3 a server verifies the client certificate after the client's side of the handshake is done,
 *   and many servers (Node's among them) then just reset the connection: a reset after the handshake and
 *   before any answer, with a client certificate presented, is taken as a refused certificate;
 * - anything else (refused, reset, DNS) → `TokenRequestError` (temporary).
 */
export function classifyTransportError(
  error: unknown,
  request: Pick<TokenHttpRequest, 'url' | 'signal' | 'clientCertificate'>,
  context: { afterHandshake?: boolean } = {},
): DatabusError {
  if (error instanceof DatabusError) return error;
  if (request.signal.aborted) {
    const reason: unknown = request.signal.reason;
    if (reason instanceof DatabusError) return reason;
    return new RequestTimeoutError(describeEndpoint(request.url), 0);
  }
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? '';
  const message = redactText(error instanceof Error ? error.message : String(error));
  const where = describeEndpoint(request.url);
  if (CERT_VERIFY_CODES.has(code))
    return new TokenRejectedError(
      `The token endpoint ${where} is not trusted (${code}): check the CA bundle (tls.ca) and the host name.`,
      { code },
    );
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || /alert|certificate/i.test(message))
    return new TokenRejectedError(
      `The TLS handshake with the token endpoint ${where} failed (${code || message}): the client certificate was refused or TLS is misconfigured.`,
      { code: code || undefined },
    );
  if (
    request.clientCertificate &&
    context.afterHandshake &&
    (code === 'ECONNRESET' || code === 'EPIPE' || /hang up/i.test(message))
  )
    return new TokenRejectedError(
      `The token endpoint ${where} closed the connection right after the TLS handshake (${code || message}): it most likely refused the client certificate (unknown CA, expired or revoked).`,
      { code: code || undefined },
    );
  return new TokenRequestError(`The token endpoint ${where} could not be reached: ${code || message}.`, {
    code: code || undefined,
  });
}
