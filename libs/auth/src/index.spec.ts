import * as auth from './index';

describe('@databus/auth public API', () => {
  it('exports the documented runtime names', () => {
    expect(Object.keys(auth).sort()).toEqual(
      [
        'AUTHENTICATED_HTTP_MODULE_OPTIONS',
        'AccessToken',
        'AuthenticatedHttpClient',
        'AuthenticatedHttpModule',
        'ClientCredentialsTokenStrategy',
        'CustomTokenStrategy',
        'DEFAULT_JWT_SOURCE',
        'HTTP_CLIENT_MODULE_OPTIONS',
        'HttpClient',
        'HttpClientModule',
        'HttpStatusError',
        'InjectJwtManager',
        'JWT_AUTH_ASYNC_OPTIONS_TYPE',
        'JWT_AUTH_MODULE_OPTIONS',
        'JWT_AUTH_OPTIONS_TYPE',
        'JwtAuthModule',
        'JwtHealthIndicator',
        'JwtManager',
        'JwtManagerClosedError',
        'MtlsTokenStrategy',
        'HttpNetworkError',
        'PasswordTokenStrategy',
        'REFRESH_DEFAULTS',
        'STREAMING_LOGIN_PATH',
        'STREAMING_TOKEN_PATH',
        'TokenRejectedError',
        'TokenRequestError',
        'TokenUnavailableError',
        'attachJwtInterceptor',
        'getJwtManagerToken',
        'jwtCredentials',
        'jwtHealth',
        'oauthBearerProvider',
        'toHttpError',
      ].sort(),
    );
  });

  it('does not load @nestjs/terminus (an optional peer)', () => {
    expect(Object.keys(require.cache).some((path) => path.includes('@nestjs/terminus'))).toBe(false);
  });

  it('types a strategy-specific option set', () => {
    const options: auth.JwtAuthModuleOptions = {
      strategy: 'client_credentials',
      tokenUrl: 'https://idp.example/token',
      clientId: 'a',
      clientSecret: 'b',
      // @ts-expect-error username belongs to the password strategy
      username: 'x',
    };
    expect(options.strategy).toBe('client_credentials');
  });
});
