/** Where a token source stands, for health checks and diagnostics. Secret-free. @publicApi */
export interface JwtManagerStatus {
  source: string;
  strategy: string;
  /**
   * - `fresh`: a usable token and no failure;
   * - `stale`: the last refresh failed, the still-valid token keeps being served;
   * - `expired`: the token ran out and no new one could be obtained;
   * - `empty`: no token was ever obtained; `closed`: shut down.
   */
  state: 'fresh' | 'stale' | 'expired' | 'empty' | 'closed';
  /** The cached token as a fingerprint (`[AccessToken sha256:… sub=… exp=…]`). */
  token?: string;
  expiresAt?: number;
  /** Consecutive failed requests. */
  failures: number;
  /** Name and (secret-free) message of the last failure. */
  lastError?: { name: string; message: string; permanent: boolean };
  /** When the next background attempt runs, epoch ms. */
  nextRetryAt?: number;
}

/** @internal The `state` field of `JwtManager.status()`. */
export function sourceState(
  closed: boolean,
  usable: boolean,
  failures: number,
  hasToken: boolean,
): JwtManagerStatus['state'] {
  if (closed) return 'closed';
  if (usable) return failures > 0 ? 'stale' : 'fresh';
  return hasToken ? 'expired' : 'empty';
}
