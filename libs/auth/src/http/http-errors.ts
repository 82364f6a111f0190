import { AxiosError, isAxiosError, isCancel } from 'axios';
import { DatabusError, redact, redactText, RequestTimeoutError, TemporaryError } from '@databus/common';

/** Statuses worth retrying: the server may answer differently later. */
const RETRIABLE_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);

/**
 * The server answered with a non-2xx status. `retriable` for 408, 425, 429 and 5xx gateway errors.
 * `url` has no query string or credentials; `body` is the answer with secret-looking fields masked.
 * @publicApi
 */
export class HttpStatusError extends DatabusError {
  readonly retriable: boolean;

  constructor(
    readonly status: number,
    readonly method: string,
    readonly url: string,
    readonly body: unknown,
    options?: ErrorOptions,
  ) {
    super(`${method} ${url} answered HTTP ${status}.`, options);
    this.retriable = RETRIABLE_STATUS.has(status);
  }
}

/** No answer: connection refused or reset, DNS failure, TLS failure. @publicApi */
export class HttpNetworkError extends TemporaryError {
  constructor(
    message: string,
    /** Node error code, e.g. `ECONNREFUSED`. */
    readonly code: string | undefined,
    readonly method: string,
    readonly url: string,
  ) {
    super(message);
  }
}

/**
 * Maps whatever an axios call rejected with into the databus hierarchy, without secrets:
 * - databus errors (e.g. from the token source) pass through;
 * - an answer with a status → `HttpStatusError`; a timeout → `RequestTimeoutError`;
 * - no answer → `HttpNetworkError`; a cancellation stays a (scrubbed) axios `CanceledError`.
 * The axios error is never kept as `cause`, because it holds the request headers (`Authorization`).
 */
export function toHttpError(error: unknown): unknown {
  if (error instanceof DatabusError) return error;
  if (!isAxiosError(error)) return error;
  if (isCancel(error)) return scrubAxiosError(error);
  const method = (error.config?.method ?? 'get').toUpperCase();
  const url = describeRequestUrl(error);
  const cause = { name: error.name, code: error.code, message: redactText(error.message) };
  if (error.response)
    return new HttpStatusError(error.response.status, method, url, redact(error.response.data), { cause });
  if (error.code === 'ECONNABORTED' || error.code === 'ETIMEDOUT')
    return Object.assign(new RequestTimeoutError(`${method} ${url}`, error.config?.timeout ?? 0), { cause });
  return new HttpNetworkError(
    `${method} ${url} failed without an answer: ${error.code ?? redactText(error.message)}.`,
    error.code,
    method,
    url,
  );
}

/** Removes credentials from an axios error in place (request headers, the raw request). */
export function scrubAxiosError<E extends AxiosError>(error: E): E {
  for (const config of [error.config, error.response?.config])
    if (config?.headers)
      for (const name of SECRET_HEADERS) delete (config.headers as Record<string, unknown>)[name];
  if (error.config?.headers && typeof (error.config.headers as { delete?: unknown }).delete === 'function')
    for (const name of SECRET_HEADERS) (error.config.headers as { delete(n: string): void }).delete(name);
  (error as { request?: unknown }).request = undefined;
  if (error.response) (error.response as { request?: unknown }).request = undefined;
  return error;
}

const SECRET_HEADERS = [
  'Authorization',
  'authorization',
  'Proxy-Authorization',
  'proxy-authorization',
  'Cookie',
  'cookie',
];

function describeRequestUrl(error: AxiosError): string {
  const config = error.config;
  const raw = config?.url ?? '';
  try {
    // As axios joins them: a relative URL is appended to the base URL's path, whatever its leading slash.
    const joined =
      config?.baseURL && !/^[a-z][a-z\d+.-]*:\/\//i.test(raw)
        ? `${config.baseURL.replace(/\/+$/, '')}/${raw.replace(/^\/+/, '')}`
        : raw;
    const url = new URL(joined);
    return `${url.origin}${url.pathname}`;
  } catch {
    return redactText(raw.split('?')[0]);
  }
}
