import { JwtManagerClosedError, TokenUnavailableError } from './auth.errors';
import { MANAGER_CLOSED, NO_CACHED_TOKEN } from './auth.messages';
import type { AccessToken } from './token';

/**
 * @internal `{ Authorization }` from the cached token, for `JwtManager.currentHeaders()`: throws
 * `JwtManagerClosedError` after `close()`, `TokenUnavailableError` when no usable token is cached.
 */
export function cachedHeaders(
  source: string,
  token: AccessToken | undefined,
  closed: boolean,
  retryAt: number | undefined,
): { Authorization: string } {
  if (closed) throw new JwtManagerClosedError(MANAGER_CLOSED(source));
  if (!token) throw new TokenUnavailableError(NO_CACHED_TOKEN(source), retryAt);
  return { Authorization: token.authorization };
}
