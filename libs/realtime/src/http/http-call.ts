import * as http from 'node:http';
import * as https from 'node:https';
import { TimeoutError } from '../errors';
import { errorForSocket, errorForStatus, parseReply } from './reply-mapping';

/** What one call to the Centrifugo HTTP API needs. The API key travels only in the header. */
export interface HttpCallSpec {
  /** Base API URL, e.g. `http://localhost:8000/api`. */
  readonly apiUrl: URL;
  /** `apiUrl` with credentials masked, for error messages. */
  readonly endpoint: string;
  readonly apiKey: string;
  readonly agent: http.Agent;
  readonly method: string;
  readonly body: string;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

const USER_AGENT = 'databus-realtime/0.1.0';

/**
 * `POST {apiUrl}/{method}` with the JSON body and the `X-API-Key` header; resolves with the parsed JSON
 * reply. Failures are mapped (decision rules, in order):
 * - no complete reply within `timeoutMs` → `TimeoutError`;
 * - socket/DNS/TLS failure before the reply ends → `NetworkError` (with the system code);
 * - HTTP 401 → `UnauthorizedError`; other non-2xx → `TransportError` with the status;
 * - a 2xx body that is not a JSON object → `DecodeError`.
 */
export function httpCall(spec: HttpCallSpec): Promise<Record<string, unknown>> {
  const { method, endpoint, apiKey, signal } = spec;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const url = new URL(spec.apiUrl.href.replace(/\/+$/, '') + `/${method}`);
    const request = (url.protocol === 'https:' ? https : http).request(url, {
      method: 'POST',
      agent: spec.agent,
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/json',
        'Content-Length': Buffer.byteLength(spec.body),
        'User-Agent': USER_AGENT,
        'X-API-Key': apiKey,
      },
    });
    let settled = false;
    const finish = (error: unknown, value?: Record<string, unknown>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (error === undefined) return resolve(value as Record<string, unknown>);
      request.destroy();
      reject(error);
    };
    const timer = setTimeout(
      () => finish(new TimeoutError(method, endpoint, spec.timeoutMs)),
      spec.timeoutMs,
    );
    timer.unref();
    const onAbort = () => finish(signal?.reason ?? new Error('aborted'));
    signal?.addEventListener('abort', onAbort, { once: true });

    request.on('error', (error) => finish(errorForSocket(method, endpoint, error, apiKey)));
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', (error) => finish(errorForSocket(method, endpoint, error, apiKey)));
      response.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const statusError = errorForStatus(method, endpoint, response.statusCode ?? 0, body, apiKey);
        if (statusError) return finish(statusError);
        const reply = parseReply(method, endpoint, body, apiKey);
        if (reply instanceof Error) finish(reply);
        else finish(undefined, reply);
      });
    });
    request.end(spec.body);
  });
}
