import type { DatabusError } from '@databus/common';
import type { AccessToken } from './token';

/** Why a token request was made. @publicApi */
export type RefreshReason = 'startup' | 'lazy' | 'scheduled' | 'retry' | 'forced';

/** Emitted after every successful token request. @publicApi */
export interface TokenRefreshedEvent {
  source: string;
  strategy: string;
  reason: RefreshReason;
  /** The new token (prints as a fingerprint). */
  token: AccessToken;
  /** Time the request took. */
  latencyMs: number;
  /** True when the JWT `sub` differs from the previous token's (brokers should reconnect, not re-authenticate). */
  principalChanged: boolean;
  previousSubject?: string;
}

/** Emitted after every failed token request. @publicApi */
export interface TokenRefreshFailedEvent {
  source: string;
  strategy: string;
  reason: RefreshReason;
  /** The typed failure (`TokenRejectedError` and other `AuthenticationError`s are permanent). */
  error: DatabusError;
  /** Consecutive failures so far. */
  attempt: number;
  permanent: boolean;
  /** Delay until the next background attempt. */
  nextRetryInMs: number;
  /** True while the previous token is still valid and keeps being served. */
  servingStale: boolean;
}

/** Emitted once when the cached token became unusable without a replacement. @publicApi */
export interface TokenExpiredEvent {
  source: string;
  /** The token that ran out (prints as a fingerprint). */
  token: AccessToken;
  lastError?: DatabusError;
}

/** Events of a `JwtManager`, by name. @publicApi */
export interface JwtManagerEvents {
  refreshed: TokenRefreshedEvent;
  refreshFailed: TokenRefreshFailedEvent;
  expired: TokenExpiredEvent;
}
