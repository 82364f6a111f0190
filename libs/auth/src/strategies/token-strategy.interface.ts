import type { TokenResponse } from '../token';

/** What the manager hands a strategy for one token request. @publicApi */
export interface TokenRequestContext {
  /** Aborted on timeout and on shutdown; pass it to the HTTP client. */
  signal: AbortSignal;
  /** The time limit of this request, in milliseconds. */
  timeoutMs: number;
}

/**
 * How a token is obtained. The manager owns caching, expiry, refresh, retries and single-flight; a strategy
 * only performs one request and classifies its failure:
 * - throw an `AuthenticationError` (e.g. `TokenRejectedError`) when the credentials were refused;
 * - throw a `TemporaryError` (e.g. `TokenRequestError`) for anything worth retrying;
 * - never put the token, a password, a secret or a key in an error message.
 * @publicApi
 */
export interface TokenStrategy {
  /** Short name for logs and events: `mtls`, `password`, `client_credentials`, `custom`. */
  readonly kind: string;
  /** Performs one token request. */
  fetchToken(context: TokenRequestContext): Promise<TokenResponse>;
  /** Releases sockets and agents; called once at shutdown. */
  close?(): void | Promise<void>;
}
