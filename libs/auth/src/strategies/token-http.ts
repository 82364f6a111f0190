import * as http from 'node:http';
import * as https from 'node:https';
import { DatabusError, RequestTimeoutError, redactText } from '@databus/common';
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
}

/** The endpoint's answer, body read as text. */
export interface TokenHttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

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
    const req = transport.request(
      request.url,
      { method: request.method, headers: request.headers, agent: request.agent, signal: request.signal },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_TOKEN_RESPONSE_BYTES) {
            res.destroy();
            reject(
              new TokenRequestError(
                `The token endpoint ${describeEndpoint(request.url)} answered more than ${MAX_TOKEN_RESPONSE_BYTES} bytes.`,
              ),
            );
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', (error) => reject(classifyTransportError(error, request)));
      },
    );
    req.on('error', (error) => reject(classifyTransportError(error, request)));
    req.end(request.body);
  });
}

/**
 * Maps a Node transport error of a token request to the databus hierarchy:
 * - the abort reason when the manager aborted (timeout → `RequestTimeoutError`, shutdown);
 * - certificate and TLS failures → `TokenRejectedError` (permanent: same certificate, same result);
 * - anything else (refused, reset, DNS) → `TokenRequestError` (temporary).
 */
export function classifyTransportError(
  error: unknown,
  request: Pick<TokenHttpRequest, 'url' | 'signal'>,
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
  return new TokenRequestError(`The token endpoint ${where} could not be reached: ${code || message}.`, {
    code: code || undefined,
  });
}
