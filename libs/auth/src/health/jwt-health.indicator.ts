import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ConfigurationError, HealthEntry, HealthResult } from '@databus/common';
import { healthResult } from '@databus/common/internal';
import { DEFAULT_JWT_SOURCE } from '../auth.constants';
import { UNKNOWN_SOURCE } from '../auth.messages';
import { getJwtManagerToken } from '../inject-jwt-manager.decorator';
import type { JwtManager } from '../jwt-manager';
import type { JwtManagerStatus } from '../jwt-manager-status';

/** The health of a token source: the shape every databus indicator returns (`HealthResult`). @publicApi */
export type JwtHealthResult = HealthResult<
  HealthEntry & {
    /** `true` while a stale (still valid) token is served because refreshes fail. */
    degraded: boolean;
    state: JwtManagerStatus['state'];
    /** Why the source is down or degraded, one line each (`reason` joins them). */
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
  const reason = reasons.join('; ');
  const details = {
    degraded: status.state === 'stale',
    state: status.state,
    reasons,
    expiresInMs: status.expiresAt === undefined ? undefined : status.expiresAt - now,
    token: status.token,
  };
  if (!up) return healthResult(key, { status: 'down', reason }, details);
  const stale = status.state === 'stale';
  return healthResult(key, stale ? { status: 'up', degraded: true, reason } : { status: 'up' }, details);
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
