import { ConfigurationError } from '@databus/common';
import type { JwtAuthModuleOptions } from './jwt-auth-options.interface';
import { resolveJwtAuthOptions } from './resolve-jwt-auth-options';

const password = {
  strategy: 'password',
  tokenUrl: 'https://login.example/token',
  username: 'alice',
  password: 'secret-pw',
} as const;

function optionOf(raw: unknown, name?: string): string | undefined {
  try {
    resolveJwtAuthOptions(raw as JwtAuthModuleOptions, name);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).not.toContain('secret-pw');
    return (error as ConfigurationError).option;
  }
  return undefined;
}

describe('resolveJwtAuthOptions', () => {
  it.each([
    ['a missing object', undefined, 'JwtAuthModule'],
    ['an unknown strategy', { ...password, strategy: 'kerberos' }, 'JwtAuthModule.strategy'],
    ['a missing tokenUrl', { ...password, tokenUrl: undefined }, 'JwtAuthModule.tokenUrl'],
    ['a relative tokenUrl', { ...password, tokenUrl: '/token' }, 'JwtAuthModule.tokenUrl'],
    [
      'credentials inside the tokenUrl',
      { ...password, tokenUrl: 'https://u:p@x.example/' },
      'JwtAuthModule.tokenUrl',
    ],
    ['an empty username', { ...password, username: '' }, 'JwtAuthModule.username'],
    ['a missing password', { ...password, password: undefined }, 'JwtAuthModule.password'],
    ['an unknown credentials mode', { ...password, credentials: 'digest' }, 'JwtAuthModule.credentials'],
    ['a bad method', { ...password, method: 'PUT' }, 'JwtAuthModule.method'],
    ['a negative timeout', { ...password, requestTimeoutMs: -1 }, 'JwtAuthModule.requestTimeoutMs'],
    [
      'a bad refresh window',
      { ...password, refresh: { windowMs: 'soon' } },
      'JwtAuthModule.refresh.windowMs',
    ],
    [
      'a bad backoff',
      { ...password, refresh: { backoff: { factor: 0.5 } } },
      'JwtAuthModule.refresh.backoff.factor',
    ],
    ['a non-boolean failOnStartup', { ...password, failOnStartup: 'yes' }, 'JwtAuthModule.failOnStartup'],
    [
      'mtls without a certificate',
      { strategy: 'mtls', tokenUrl: 'https://gw.example/jwt', tls: {} },
      'JwtAuthModule.tls.cert',
    ],
    ['mtls without tls', { strategy: 'mtls', tokenUrl: 'https://gw.example/jwt' }, 'JwtAuthModule.tls'],
    [
      'mtls over http',
      { strategy: 'mtls', tokenUrl: 'http://gw.example/jwt', tls: {} },
      'JwtAuthModule.tokenUrl',
    ],
    ['a custom strategy without fetchToken', { strategy: 'custom' }, 'JwtAuthModule.fetchToken'],
    ['a strategy object without fetchToken', { strategy: { kind: 'x' } }, 'JwtAuthModule.strategy'],
    [
      'an unknown client authentication',
      {
        strategy: 'client_credentials',
        tokenUrl: 'https://idp.example/token',
        clientId: 'a',
        clientSecret: 'secret-pw',
        clientAuth: 'private_key_jwt',
      },
      'JwtAuthModule.clientAuth',
    ],
  ])('rejects %s with a ConfigurationError naming the option', (_title, raw, option) => {
    expect(optionOf(raw)).toBe(option);
  });

  it('prefixes the option with the source name', () => {
    expect(optionOf({ ...password, username: '' }, 'gateway')).toBe('JwtAuthModule[gateway].username');
  });

  it('names the unreadable TLS file', () => {
    expect(optionOf({ ...password, tls: { ca: '/nonexistent/ca.pem' } })).toBe('JwtAuthModule.tls.ca');
  });

  it('applies the documented defaults', () => {
    const resolved = resolveJwtAuthOptions({ ...password, logger: false });
    expect(resolved).toMatchObject({
      name: 'default',
      failOnStartup: true,
      requestTimeoutMs: 10_000,
      policy: {
        windowMs: 300_000,
        marginMs: 10_000,
        minIntervalMs: 30_000,
        forcedMinIntervalMs: 10_000,
        backoff: { initialMs: 1_000, maxMs: 30_000, factor: 2, jitter: 0.2 },
      },
    });
    expect(resolved.strategy.kind).toBe('password');
  });

  it('warns about a plain-http token URL and keeps going', () => {
    const warnings: string[] = [];
    resolveJwtAuthOptions({ ...password, tokenUrl: 'http://127.0.0.1:9/login' }, 'default', {
      log: () => undefined,
      error: () => undefined,
      warn: (m: string) => warnings.push(m),
    });
    expect(warnings.join()).toMatch(/plain http/);
  });
});
