/**
 * Pure expiry arithmetic of the token cache: when a token expires, when to refresh it in the background,
 * and when it stops being usable. No clock, no timers: every function takes the times it needs.
 */

/** The JWT claims the manager looks at (decoded, never verified: authorization is the server's job). */
export interface JwtClaims {
  sub?: string;
  iss?: string;
  aud?: string | string[];
  exp?: number;
  iat?: number;
  nbf?: number;
  [claim: string]: unknown;
}

/** The refresh policy with every default applied (see `JwtRefreshOptions`). */
export interface RefreshPolicy {
  windowMs: number;
  minWindowMs: number;
  marginMs: number;
  jitterMs: number;
  minIntervalMs: number;
}

/** When to act on one token. */
export interface RefreshPlan {
  /** Start a background refresh at this time (callers keep getting the cached token). */
  refreshAt: number;
  /** After this time the token is unusable: callers wait for a new one. */
  usableUntil: number;
}

/** Decodes the payload of a compact JWT without verifying it; `undefined` when `token` is not a JWT. */
export function decodeJwtClaims(token: string): JwtClaims | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[1]) return undefined;
  try {
    const payload: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    return payload !== null && typeof payload === 'object' && !Array.isArray(payload)
      ? (payload as JwtClaims)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * When a token expires, epoch ms:
 * - `expires_in` is counted from the start of the request (the token may have been issued any time during it);
 * - the JWT `exp` claim (seconds) is used as well, and the earlier of the two wins;
 * - `undefined` when neither is known (the token is then kept until a 401 forces a refresh).
 */
export function resolveExpiresAt(input: {
  requestStartedAt: number;
  expiresInSeconds?: number;
  claims?: JwtClaims;
}): number | undefined {
  const candidates: number[] = [];
  if (typeof input.expiresInSeconds === 'number' && Number.isFinite(input.expiresInSeconds))
    candidates.push(input.requestStartedAt + input.expiresInSeconds * 1000);
  const exp = input.claims?.exp;
  if (typeof exp === 'number' && Number.isFinite(exp)) candidates.push(exp * 1000);
  return candidates.length ? Math.min(...candidates) : undefined;
}

/**
 * Plans the background refresh and the hard margin of a token that lives from `obtainedAt` to `expiresAt`.
 * With lifetime L:
 * - margin = min(marginMs, 10 % of L): inside it the token is unusable and callers wait;
 * - window = min(windowMs, max(20 % of L, min(minWindowMs, 50 % of L)), 50 % of L): the refresh starts this
 *   long before expiry (5 min for a 1 h token, 2 min for 10 min, 30 s for 2 min, half of a very short one);
 * - jitter = random × min(jitterMs, 10 % of L), subtracted, so that many instances do not refresh together;
 * - the refresh never starts earlier than min(minIntervalMs, 50 % of L) after the token was obtained, so an
 *   issuer that hands back a nearly expired token cannot drive a refresh loop;
 * - and never later than the hard margin.
 */
export function planRefresh(
  token: { obtainedAt: number; expiresAt: number },
  policy: RefreshPolicy,
  random: () => number = Math.random,
): RefreshPlan {
  const lifetime = Math.max(0, token.expiresAt - token.obtainedAt);
  const margin = Math.min(policy.marginMs, lifetime * 0.1);
  const half = lifetime * 0.5;
  const window = Math.max(
    margin,
    Math.min(policy.windowMs, Math.max(lifetime * 0.2, Math.min(policy.minWindowMs, half)), half),
  );
  const jitter = clamp01(random()) * Math.min(policy.jitterMs, lifetime * 0.1);
  const usableUntil = token.expiresAt - margin;
  let refreshAt = token.expiresAt - window - jitter;
  refreshAt = Math.max(refreshAt, token.obtainedAt + Math.min(policy.minIntervalMs, half));
  refreshAt = Math.min(refreshAt, usableUntil);
  return { refreshAt: Math.round(refreshAt), usableUntil: Math.round(usableUntil) };
}

/**
 * Parses a `Retry-After` header (delta seconds or an HTTP date) into milliseconds from `now`;
 * `undefined` when absent or unreadable.
 */
export function parseRetryAfter(header: string | undefined, now: number): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function clamp01(value: number): number {
  return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
}
