/** Name of the token source registered when `JwtAuthModule.forRoot` is given no `name`. @publicApi */
export const DEFAULT_JWT_SOURCE = 'default';

/** Injection token of the resolved source name inside one `JwtAuthModule` registration. */
export const JWT_SOURCE_NAME = 'databus:auth:jwt-source-name';

/** Largest delay `setTimeout` accepts without firing at once (2^31 − 1 ms, about 24.8 days). */
export const MAX_TIMER_DELAY_MS = 2_147_483_647;

/** Defaults of the refresh policy; see `JwtRefreshOptions` for what each one means. */
export const REFRESH_DEFAULTS = Object.freeze({
  windowMs: 5 * 60_000,
  minWindowMs: 30_000,
  marginMs: 10_000,
  jitterMs: 60_000,
  minIntervalMs: 30_000,
  forcedMinIntervalMs: 10_000,
  requestTimeoutMs: 10_000,
  backoff: Object.freeze({ initialMs: 1_000, maxMs: 30_000, factor: 2, jitter: 0.2 }),
});

/** Largest token response body read, in bytes; a larger answer is not a token. */
export const MAX_TOKEN_RESPONSE_BYTES = 1_048_576;
