import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ConfigurationError } from '@databus/common';
import { DEFAULT_JWT_SOURCE } from '../auth.constants';
import { UNKNOWN_SOURCE } from '../auth.messages';
import { getJwtManagerToken } from '../inject-jwt-manager.decorator';
import type { JwtManager, JwtManagerStatus } from '../jwt-manager';

/** One entry of a @nestjs/terminus health result (same shape, no import of terminus). @publicApi */
export type JwtHealthResult = Record<
  string,
  {
    status: 'up' | 'down';
    /** `true` while a stale (still valid) token is served because refreshes fail. */
    degraded: boolean;
    state: JwtManagerStatus['state'];
    /** Why the source is down or degraded. */
    reasons: string[];
    expiresInMs?: number;
    token?: string;
  }
>;

/**
 * The health of one token source, in @nestjs/terminus' result shape:
 * - `down` when no usable token is cached (never obtained, expired, closed);
 * - `up` with `degraded: true` while refreshes fail but the old token is still valid;
 * - `up` otherwise. Reasons are secret-free.
 * @publicApi
 */
export function jwtHealth(
  manager: JwtManager,
  key = `jwt:${manager.name}`,
  now: number = Date.now(),
): JwtHealthResult {
  const status = manager.status();
  const reasons: string[] = [];
  if (status.state === 'empty') reasons.push('no token has been obtained yet');
  if (status.state === 'expired') reasons.push('the token expired and could not be refreshed');
  if (status.state === 'closed') reasons.push('the token source is closed');
  if (status.lastError)
    reasons.push(
      `${status.failures} failed refresh(es), last: ${status.lastError.name}: ${status.lastError.message}` +
        (status.lastError.permanent ? ' (permanent: check the credentials)' : ''),
    );
  const up = status.state === 'fresh' || status.state === 'stale';
  return {
    [key]: {
      status: up ? 'up' : 'down',
      degraded: status.state === 'stale',
      state: status.state,
      reasons,
      expiresInMs: status.expiresAt === undefined ? undefined : status.expiresAt - now,
      token: status.token,
    },
  };
}

/**
 * A health indicator for @nestjs/terminus (optional: this class does not import it). Provide it in your
 * health module and call it from a `HealthCheckService.check([...])` list:
 * ```ts
 * () => this.jwtHealth.isHealthy('gateway-token', 'gateway')
 * ```
 * Terminus counts a result whose `status` is `down` as a failed check.
 * @publicApi
 */
@Injectable()
export class JwtHealthIndicator {
  constructor(private readonly moduleRef: ModuleRef) {}

  /** The health of the token source `source` (default source when omitted) under `key`. */
  async isHealthy(key?: string, source: string = DEFAULT_JWT_SOURCE): Promise<JwtHealthResult> {
    let manager: JwtManager;
    try {
      manager = this.moduleRef.get<JwtManager>(getJwtManagerToken(source), { strict: false });
    } catch (error) {
      throw new ConfigurationError('JwtHealthIndicator.isHealthy(source)', UNKNOWN_SOURCE(source), {
        cause: error,
      });
    }
    return jwtHealth(manager, key ?? `jwt:${source}`);
  }
}
