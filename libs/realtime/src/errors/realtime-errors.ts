import {
  AuthenticationError,
  DatabusError,
  PayloadDecodeError,
  PermanentError,
  TemporaryError,
} from '@databus/common';
import { brandRealtimeError, RealtimeErrorContext } from './realtime.error';

/**
 * Centrifugo could not be reached: connection refused or reset, DNS failure, TLS handshake failure.
 * Temporary: retried by the streaming runtime and by `retry()`.
 * @publicApi
 */
export class NetworkError extends TemporaryError implements RealtimeErrorContext {
  /** The system error code when there is one, e.g. `ECONNREFUSED`, `ENOTFOUND`. */
  readonly code?: string;

  constructor(
    readonly method: string,
    readonly endpoint: string,
    options: { code?: string; cause?: unknown } = {},
  ) {
    super(
      `Centrifugo API "${method}" at ${endpoint} is unreachable${options.code ? ` (${options.code})` : ''}.`,
      { cause: options.cause },
    );
    this.code = options.code;
    brandRealtimeError(this);
  }
}

/**
 * No complete reply arrived within the timeout (`timeoutMs`). Temporary. Note that Centrifugo may still
 * have executed the command: a publish that timed out may have been delivered (use `idempotencyKey`).
 * @publicApi
 */
export class TimeoutError extends TemporaryError implements RealtimeErrorContext {
  constructor(
    readonly method: string,
    readonly endpoint: string,
    /** The timeout that expired, in milliseconds. */
    readonly timeoutMs: number,
  ) {
    super(`Centrifugo API "${method}" at ${endpoint} did not answer within ${timeoutMs} ms.`);
    brandRealtimeError(this);
  }
}

/**
 * Centrifugo answered with an HTTP status other than 2xx (and other than 401). Retriable for 5xx
 * (e.g. 503 while a node shuts down), 408 and 429; permanent for other 4xx (e.g. 400 for a malformed body,
 * 404 for a wrong `apiUrl`).
 * @publicApi
 */
export class TransportError extends DatabusError implements RealtimeErrorContext {
  readonly retriable: boolean;

  constructor(
    readonly method: string,
    readonly endpoint: string,
    /** The HTTP status code. */
    readonly status: number,
    /** The start of the response body (at most 200 characters), for diagnosis; never holds the API key. */
    readonly body = '',
  ) {
    super(`Centrifugo API "${method}" at ${endpoint} answered HTTP ${status}${body ? `: ${body}` : ''}.`);
    this.retriable = status >= 500 || status === 408 || status === 429;
    brandRealtimeError(this);
  }
}

/**
 * Centrifugo refused the API key (HTTP 401): the key is wrong or missing. Permanent. The key itself is never
 * part of the message.
 * @publicApi
 */
export class UnauthorizedError extends AuthenticationError implements RealtimeErrorContext {
  constructor(
    readonly method: string,
    readonly endpoint: string,
  ) {
    super(`Centrifugo API "${method}" at ${endpoint} refused the API key (HTTP 401); check apiKey.`);
    brandRealtimeError(this);
  }
}

/**
 * The reply could not be decoded: not JSON, or not the shape the method returns. Permanent.
 * @publicApi
 */
export class DecodeError extends PayloadDecodeError implements RealtimeErrorContext {
  constructor(
    readonly method: string,
    readonly endpoint: string,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(
      `Centrifugo API "${method}" at ${endpoint} sent a reply that cannot be decoded: ${detail}.`,
      options,
    );
    brandRealtimeError(this);
  }
}

/**
 * Centrifugo executed the request and answered with its own error `{ code, message }`, e.g. 102 unknown
 * channel, 107 bad request, 108 not available. Permanent: the same request fails the same way.
 * For `broadcast` and `batch` this is raised only for a top-level error; per-item errors are in the result.
 * @publicApi
 */
export class ApiResponseError extends PermanentError implements RealtimeErrorContext {
  constructor(
    readonly method: string,
    readonly endpoint: string,
    /** Centrifugo's error code, e.g. `107`. */
    readonly code: number,
    /** Centrifugo's error message, e.g. `bad request`. */
    readonly apiMessage: string,
  ) {
    super(`Centrifugo API "${method}" error #${code}: ${apiMessage}.`);
    brandRealtimeError(this);
  }
}
