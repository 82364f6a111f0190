import * as http from 'node:http';
import * as https from 'node:https';
import { LoadedTls, PermanentError, redactText, TemporaryError } from '@databus/common';
import {
  errorMessage,
  HttpAnswer,
  readHttpAnswer,
  tlsSocketOptions,
  untrustedPeerCode,
} from '@databus/common/internal';

/** One HTTP call to a service of the suite's own HTTP transports (REST streaming, account server). */
export interface HttpServiceRequest {
  method: 'GET' | 'POST' | 'DELETE';
  /** Absolute URL. */
  url: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Who answers, for messages: `the streaming service`, `the account server`. */
  peer: string;
}

/** The service's answer, body as text. */
export type HttpServiceResponse = HttpAnswer;

/** Largest answer read from a service (a records page). */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

/** A keep-alive agent: TLS verified against `tls.ca` (or Node's CA store) unless `insecure`. */
export function createHttpAgent(secure: boolean, tls: LoadedTls | undefined, host: string): http.Agent {
  if (!secure) return new http.Agent({ keepAlive: true });
  return new https.Agent({ ...tlsSocketOptions(tls, host), keepAlive: true });
}

/**
 * Sends one request and reads the answer. Network failures become a `TemporaryError` (the service may come
 * back), an untrusted server certificate a `PermanentError` naming `tls.ca`; neither repeats a header value.
 */
export function sendHttpRequest(
  agent: http.Agent,
  request: HttpServiceRequest,
): Promise<HttpServiceResponse> {
  const transport = request.url.startsWith('https:') ? https : http;
  const where = `${request.method} ${describePath(request.url)}`;
  return new Promise<HttpServiceResponse>((resolve, reject) => {
    const req = transport.request(
      request.url,
      { method: request.method, headers: request.headers, agent, signal: request.signal },
      (res) => {
        const tooLarge = () =>
          new TemporaryError(`${where}: ${request.peer} answered more than ${MAX_BODY_BYTES} bytes.`);
        const failed = (error: unknown) => classifyNetworkError(error, where, request.peer);
        readHttpAnswer(res, MAX_BODY_BYTES, tooLarge, failed).then(resolve, reject);
      },
    );
    req.setTimeout(request.timeoutMs, () =>
      req.destroy(
        new TemporaryError(`${where}: no answer from ${request.peer} within ${request.timeoutMs} ms.`),
      ),
    );
    req.on('error', (error) => reject(classifyNetworkError(error, where, request.peer)));
    req.end(request.body);
  });
}

/** Maps a Node socket/TLS error to the databus hierarchy. */
export function classifyNetworkError(error: unknown, where: string, peer: string): Error {
  if (error instanceof TemporaryError || error instanceof PermanentError) return error;
  const untrusted = untrustedPeerCode(error);
  if (untrusted)
    return new PermanentError(
      `${where}: the certificate of ${peer} is not trusted (${untrusted}); check tls.ca and the host name.`,
      { cause: error },
    );
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code === 'ABORT_ERR') {
    // The caller's signal ended the call (a deadline, a close): say so, with the abort's own reason.
    const reason = (error as Error).cause;
    const why = reason === undefined ? '' : ` (${redactText(errorMessage(reason))})`;
    return new TemporaryError(`${where}: no answer from ${peer} before the call was cut short${why}.`, {
      cause: error,
    });
  }
  const message = redactText(error instanceof Error ? error.message : String(error));
  return new TemporaryError(`${where}: ${peer} could not be reached (${code ?? message}).`, {
    cause: error,
  });
}

/** Origin and path of a URL, without query: what logs and errors may show. */
export function describePath(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}
