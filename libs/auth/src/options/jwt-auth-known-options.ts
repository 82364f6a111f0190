import { assertKnownOptions } from '@databus/common/internal';
import type { JwtAuthModuleOptions, JwtRefreshOptions } from './jwt-auth-options.interface';

const COMMON = [
  'strategy',
  'name',
  'isGlobal',
  'failOnStartup',
  'requestTimeoutMs',
  'refresh',
  'now',
  'random',
  'logger',
  'metrics',
];
const HTTP = ['tokenUrl', 'method', 'headers', 'tokenField', 'tls'];
const CLIENT = ['clientId', 'clientSecret', 'scope', 'audience', 'grantType', 'tls'];

/** The keys each strategy accepts besides the common ones. */
const BY_STRATEGY: Record<string, readonly string[]> = {
  mtls: HTTP,
  password: [...HTTP, 'username', 'password', 'credentials', 'fields'],
  client_credentials: [...CLIENT, 'tokenUrl', 'headers', 'tokenField', 'clientAuth', 'extraParams'],
  custom: ['fetchToken'],
  streaming_login: ['baseUrl', 'username', 'password', 'tls'],
  streaming_client_credentials: ['baseUrl', ...CLIENT],
};

const REFRESH = [
  'windowMs',
  'minWindowMs',
  'marginMs',
  'jitterMs',
  'minIntervalMs',
  'forcedMinIntervalMs',
  'backoff',
] as const satisfies readonly (keyof JwtRefreshOptions)[];

/**
 * Fails on a key the options' strategy does not know (`tokenFeild`), naming it as `<prefix>.<key>`; an
 * unknown strategy is left to the strategy check, a `TokenStrategy` object takes the common keys only.
 */
export function assertKnownJwtAuthOptions(raw: JwtAuthModuleOptions, prefix: string): void {
  const strategy = typeof raw.strategy === 'string' ? BY_STRATEGY[raw.strategy] : [];
  if (!strategy) return;
  assertKnownOptions(raw, [...COMMON, ...strategy], prefix);
  assertKnownOptions(raw.refresh, REFRESH, `${prefix}.refresh`);
}
