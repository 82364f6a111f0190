/** Log and error texts of @databus/auth. None of them ever receives a secret, only fingerprints. */

/** An error message used inside a sentence: without its own final period (no `ECONNREFUSED.. Next`). */
export const clause = (message: string): string => message.replace(/\.+$/, '');

/** A token was obtained (logged with its fingerprint). */
export const TOKEN_REFRESHED = (source: string, token: string, reason: string, latencyMs: number): string =>
  `Token source "${source}": obtained ${token} (${reason}, ${latencyMs} ms).`;

/** A token request failed; says when the next attempt runs and whether the old token is still served. */
export const REFRESH_FAILED = (
  source: string,
  error: string,
  attempt: number,
  retryInMs: number,
  servingStale: boolean,
): string =>
  `Token source "${source}": refresh attempt ${attempt} failed: ${clause(error)}. Next attempt in ${retryInMs} ms` +
  (servingStale ? '; the current token is still valid and keeps being served.' : '.');

/** The cached token ran out without a replacement. */
export const TOKEN_EXPIRED = (source: string, token: string): string =>
  `Token source "${source}": ${token} expired and no new token could be obtained; callers fail until the token endpoint answers again.`;

/** The eager fetch failed and `failOnStartup` is false. */
export const STARTUP_FETCH_FAILED = (source: string, error: string): string =>
  `Token source "${source}": no token at startup (${clause(error)}); failOnStartup is false, so the application starts and the manager keeps trying.`;

/** Message of `TokenUnavailableError`. */
export const NO_USABLE_TOKEN = (source: string, error: string): string =>
  `Token source "${source}" has no usable token: ${error}`;

/** Message of `JwtManagerClosedError`. */
export const MANAGER_CLOSED = (source: string): string =>
  `Token source "${source}" is closed (the application is shutting down).`;

/** The JWT `sub` changed between two tokens. */
export const PRINCIPAL_CHANGED = (source: string, before: string, after: string): string =>
  `Token source "${source}": the token subject changed from "${before}" to "${after}"; broker connections should reconnect.`;

/** Warning for a plain-http token URL. */
export const INSECURE_TOKEN_URL = (source: string, option: string): string =>
  `Token source "${source}": ${option} uses plain http, so credentials travel unencrypted. Use https outside local tests.`;

/** Expected-value text when no `JwtManager` has the requested name. */
export const UNKNOWN_SOURCE = (source: string): string =>
  `no JwtManager named "${source}" is registered; add JwtAuthModule.forRoot({ name: '${source}', … }) (global by default) to the application`;

/** Message of `TokenUnavailableError` from the synchronous `currentHeaders()`. */
export const NO_CACHED_TOKEN = (source: string): string =>
  `Token source "${source}" has no usable token cached (none obtained yet, expired, or reset); currentHeaders() does no I/O: await getHeaders() fetches one.`;
