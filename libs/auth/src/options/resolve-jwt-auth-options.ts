import type { LoggerService } from '@nestjs/common';
import {
  assertDuration,
  assertNonEmptyString,
  ConfigurationError,
  DatabusMetrics,
  resolveBackoff,
  ResolvedBackoff,
} from '@databus/common';
import { describeValue, resolveMetrics } from '@databus/common/internal';
import { DEFAULT_JWT_SOURCE, REFRESH_DEFAULTS } from '../auth.constants';
import { INSECURE_TOKEN_URL } from '../auth.messages';
import type { RefreshPolicy } from '../expiry';
import { ClientCredentialsTokenStrategy } from '../strategies/client-credentials.strategy';
import { CustomTokenStrategy } from '../strategies/custom.strategy';
import type { HttpStrategyConfig } from '../strategies/http-token.strategy';
import { MtlsTokenStrategy } from '../strategies/mtls.strategy';
import { PasswordTokenStrategy } from '../strategies/password.strategy';
import type { TokenStrategy } from '../strategies/token-strategy.interface';
import type { JwtAuthModuleOptions, MtlsAuthOptions } from './jwt-auth-options.interface';
import { httpUrl } from './http-url';
import { expandStreamingServiceOptions } from './streaming-service-options';
import { assertKnownJwtAuthOptions } from './jwt-auth-known-options';

/** The full refresh policy with defaults applied. */
export interface ResolvedRefreshPolicy extends RefreshPolicy {
  forcedMinIntervalMs: number;
  backoff: ResolvedBackoff;
}

/** Everything `JwtManager` needs, validated and defaulted. */
export interface ResolvedJwtAuthOptions {
  name: string;
  strategy: TokenStrategy;
  failOnStartup: boolean;
  requestTimeoutMs: number;
  policy: ResolvedRefreshPolicy;
  now: () => number;
  random: () => number;
  /** `undefined` = silent. */
  logger: LoggerService | undefined;
  metrics: DatabusMetrics;
}

const STRATEGIES = [
  'mtls',
  'password',
  'client_credentials',
  'custom',
  'streaming_login',
  'streaming_client_credentials',
] as const;

/**
 * Validates `JwtAuthModule` options and builds the strategy (reading TLS files), so that every mistake fails
 * at module init with a `ConfigurationError` naming the option, e.g. `JwtAuthModule[gateway].tokenUrl`.
 * `defaultLogger` is used unless `logger` is given (`false` = silent).
 */
export function resolveJwtAuthOptions(
  raw: JwtAuthModuleOptions,
  name: string = DEFAULT_JWT_SOURCE,
  defaultLogger?: LoggerService,
): ResolvedJwtAuthOptions {
  const prefix = name === DEFAULT_JWT_SOURCE ? 'JwtAuthModule' : `JwtAuthModule[${name}]`;
  if (raw === null || typeof raw !== 'object')
    throw new ConfigurationError(prefix, 'an options object with a strategy', {
      received: describeValue(raw),
    });
  assertKnownJwtAuthOptions(raw, prefix);
  const now = optionalFunction(raw.now, `${prefix}.now`) ?? Date.now;
  const random = optionalFunction(raw.random, `${prefix}.random`) ?? Math.random;
  if (raw.failOnStartup !== undefined && typeof raw.failOnStartup !== 'boolean')
    throw new ConfigurationError(`${prefix}.failOnStartup`, 'a boolean', {
      received: describeValue(raw.failOnStartup),
    });
  const logger = raw.logger === false ? undefined : (raw.logger ?? defaultLogger);
  return {
    name,
    strategy: createStrategy(raw, prefix, now, (message) => logger?.warn?.(message)),
    failOnStartup: raw.failOnStartup ?? true,
    requestTimeoutMs: assertDuration(
      raw.requestTimeoutMs ?? REFRESH_DEFAULTS.requestTimeoutMs,
      `${prefix}.requestTimeoutMs`,
      1,
    ),
    policy: resolvePolicy(raw.refresh ?? {}, `${prefix}.refresh`),
    now,
    random,
    logger,
    metrics: resolveMetrics(raw.metrics, `${prefix}.metrics`),
  };
}

function resolvePolicy(
  refresh: NonNullable<JwtAuthModuleOptions['refresh']>,
  path: string,
): ResolvedRefreshPolicy {
  if (refresh === null || typeof refresh !== 'object')
    throw new ConfigurationError(path, 'an object of refresh options', { received: describeValue(refresh) });
  const d = REFRESH_DEFAULTS;
  const ms = (key: keyof typeof refresh & keyof typeof d, min = 0): number =>
    assertDuration(refresh[key] ?? d[key], `${path}.${key}`, min);
  return {
    windowMs: ms('windowMs'),
    minWindowMs: ms('minWindowMs'),
    marginMs: ms('marginMs'),
    jitterMs: ms('jitterMs'),
    minIntervalMs: ms('minIntervalMs'),
    forcedMinIntervalMs: ms('forcedMinIntervalMs'),
    backoff: resolveBackoff({ ...d.backoff, ...stripUndefined(refresh.backoff ?? {}) }, `${path}.backoff`),
  };
}

function createStrategy(
  options: JwtAuthModuleOptions,
  prefix: string,
  now: () => number,
  warn: (message: string) => void,
): TokenStrategy {
  const raw =
    options.strategy === 'streaming_login' || options.strategy === 'streaming_client_credentials'
      ? expandStreamingServiceOptions(options, prefix)
      : options;
  const { strategy } = raw;
  if (strategy !== null && typeof strategy === 'object') {
    if (typeof strategy.fetchToken !== 'function')
      throw new ConfigurationError(`${prefix}.strategy`, 'a TokenStrategy object with a fetchToken() method');
    return strategy;
  }
  if (!STRATEGIES.includes(strategy as (typeof STRATEGIES)[number]))
    throw new ConfigurationError(
      `${prefix}.strategy`,
      `one of ${STRATEGIES.map((s) => `"${s}"`).join(', ')} or a TokenStrategy object`,
      { received: describeValue(strategy) },
    );
  if (raw.strategy === 'custom') {
    if (typeof raw.fetchToken !== 'function')
      throw new ConfigurationError(`${prefix}.fetchToken`, 'an async function returning the token', {
        received: describeValue(raw.fetchToken),
      });
    return new CustomTokenStrategy(raw.fetchToken);
  }
  if (raw.strategy === 'mtls') return new MtlsTokenStrategy(httpConfig(raw, prefix, now, 'GET', warn));
  if (raw.strategy === 'password') {
    const mode = raw.credentials ?? 'basic';
    if (!['basic', 'json', 'form'].includes(mode))
      throw new ConfigurationError(`${prefix}.credentials`, 'one of "basic", "json", "form"', {
        received: describeValue(mode),
      });
    const config = httpConfig(raw, prefix, now, mode === 'basic' ? 'GET' : 'POST', warn, 'token');
    return new PasswordTokenStrategy(config, {
      username: assertNonEmptyString(raw.username, `${prefix}.username`),
      password: requireSecret(raw.password, `${prefix}.password`),
      mode,
      usernameField: raw.fields?.username ?? 'username',
      passwordField: raw.fields?.password ?? 'password',
    });
  }
  const clientAuth = raw.clientAuth ?? 'client_secret_basic';
  if (clientAuth !== 'client_secret_basic' && clientAuth !== 'client_secret_post')
    throw new ConfigurationError(
      `${prefix}.clientAuth`,
      'one of "client_secret_basic", "client_secret_post"',
      {
        received: describeValue(clientAuth),
      },
    );
  const scope = Array.isArray(raw.scope) ? raw.scope.join(' ') : raw.scope;
  if (scope !== undefined && typeof scope !== 'string')
    throw new ConfigurationError(`${prefix}.scope`, 'a string or an array of strings', {
      received: describeValue(scope),
    });
  return new ClientCredentialsTokenStrategy(
    httpConfig({ ...raw, method: 'POST' }, prefix, now, 'POST', warn, 'access_token'),
    {
      clientId: assertNonEmptyString(raw.clientId, `${prefix}.clientId`),
      clientSecret: requireSecret(raw.clientSecret, `${prefix}.clientSecret`),
      clientAuth,
      scope,
      audience: raw.audience,
      extraParams: raw.extraParams ?? {},
      grantType:
        raw.grantType === undefined ? undefined : assertNonEmptyString(raw.grantType, `${prefix}.grantType`),
    },
  );
}

function httpConfig(
  raw: Exclude<
    JwtAuthModuleOptions,
    { strategy: 'custom' | 'streaming_login' | 'streaming_client_credentials' } | { strategy: object }
  > & {
    method?: 'GET' | 'POST';
  },
  prefix: string,
  now: () => number,
  defaultMethod: 'GET' | 'POST',
  warn: (message: string) => void,
  defaultTokenField?: string,
): HttpStrategyConfig {
  const tokenUrl = parseUrl(raw.tokenUrl, `${prefix}.tokenUrl`);
  const isMtls = raw.strategy === 'mtls';
  if (isMtls && tokenUrl.protocol !== 'https:')
    throw new ConfigurationError(`${prefix}.tokenUrl`, 'an https:// URL (mutual TLS needs TLS)', {
      received: `a ${tokenUrl.protocol} URL`,
    });
  if (tokenUrl.protocol === 'http:') warn(INSECURE_TOKEN_URL(prefix, `${prefix}.tokenUrl`));
  const method = raw.method ?? defaultMethod;
  if (method !== 'GET' && method !== 'POST')
    throw new ConfigurationError(`${prefix}.method`, 'one of "GET", "POST"', {
      received: describeValue(method),
    });
  if (raw.tokenField !== undefined) assertNonEmptyString(raw.tokenField, `${prefix}.tokenField`);
  if (raw.headers !== undefined && (raw.headers === null || typeof raw.headers !== 'object'))
    throw new ConfigurationError(`${prefix}.headers`, 'an object of header names and values');
  const tlsOption = `${prefix}.tls`;
  if (isMtls) checkClientCertificate(raw as MtlsAuthOptions, tlsOption);
  if (isMtls && (raw.tls as { insecure?: boolean }).insecure === true)
    throw new ConfigurationError(
      `${tlsOption}.insecure`,
      'false: a certificate exchange always verifies the gateway',
    );
  return {
    tokenUrl,
    method,
    headers: { ...(raw.headers ?? {}) },
    tokenField: raw.tokenField ?? defaultTokenField,
    tls: raw.tls,
    tlsOption,
    now,
    warn,
  };
}

function checkClientCertificate(raw: MtlsAuthOptions, option: string): void {
  if (!raw.tls || typeof raw.tls !== 'object')
    throw new ConfigurationError(
      option,
      'TLS options with the client certificate (cert + key, or pfx) and the CA bundle',
    );
  if (!raw.tls.pfx && !raw.tls.cert)
    throw new ConfigurationError(`${option}.cert`, 'the client certificate (or tls.pfx) for mutual TLS');
}

function parseUrl(value: unknown, option: string): URL {
  const url = httpUrl(value, option, 'an absolute http(s) URL');
  if (url.username || url.password)
    throw new ConfigurationError(
      option,
      'a URL without credentials (use username/password or clientId/clientSecret)',
    );
  return url;
}

function requireSecret(value: unknown, option: string): string {
  if (typeof value !== 'string' || value.length === 0)
    throw new ConfigurationError(option, 'a non-empty string', {
      received: value === undefined ? 'undefined' : `a ${typeof value}`,
    });
  return value;
}

function optionalFunction<T>(value: T | undefined, option: string): T | undefined {
  if (value !== undefined && typeof value !== 'function')
    throw new ConfigurationError(option, 'a function', { received: describeValue(value) });
  return value;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
