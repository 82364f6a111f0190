import { AuthenticationError, PermanentError, TemporaryError } from '@databus/common';

/**
 * A token request failed in a way that may heal by itself: the endpoint is down or overloaded (5xx, 408,
 * 429), the network failed, the answer could not be read. The manager retries it with capped exponential
 * backoff, honouring `retryAfterMs`. The message never contains the token, the password or the secret.
 * @publicApi
 */
export class TokenRequestError extends TemporaryError {
  constructor(
    message: string,
    readonly details: {
      /** HTTP status of the token endpoint's answer, when there was one. */
      status?: number;
      /** Node or OAuth2 error code, e.g. `ECONNREFUSED` or `temporarily_unavailable`. */
      code?: string;
      /** Delay the server asked for with `Retry-After`, in milliseconds. */
      retryAfterMs?: number;
    } = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * The token endpoint refused the credentials (HTTP 400 `invalid_client`/`invalid_grant`, 401, 403) or the
 * TLS handshake failed on a certificate (client certificate refused, server not trusted, expired). Retrying
 * with the same credentials will not help, so the manager waits its maximum backoff between attempts.
 * @publicApi
 */
export class TokenRejectedError extends AuthenticationError {
  constructor(
    message: string,
    readonly details: { status?: number; code?: string } = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * No usable token is cached and none could be obtained just now; `cause` holds the last failure, and
 * `retryAt` tells when the manager tries again in the background.
 * @publicApi
 */
export class TokenUnavailableError extends TemporaryError {
  constructor(
    message: string,
    /** Epoch milliseconds of the next background attempt, when one is planned. */
    readonly retryAt: number | undefined,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The `JwtManager` was closed (application shutdown); it hands out no more tokens. @publicApi */
export class JwtManagerClosedError extends PermanentError {}
