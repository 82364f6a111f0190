/**
 * @databus/auth: JWT token sources for NestJS.
 * - `JwtAuthModule` / `JwtManager`: fetch (mTLS, password, OAuth2 client_credentials, the REST streaming
 *   service's two logins, custom), cache, refresh
 *   before expiry, single-flight, serve-stale, typed failures;
 * - `AuthenticatedHttpModule` / `attachJwtInterceptor`: bearer token on allowed origins, one 401 retry;
 * - `jwtCredentials` / `oauthBearerProvider`: the token as broker credentials;
 * - `JwtHealthIndicator`: terminus-shaped health of a token source.
 */
export { JwtAuthModule } from './jwt-auth.module';
export {
  JWT_AUTH_MODULE_OPTIONS,
  JWT_AUTH_OPTIONS_TYPE,
  JWT_AUTH_ASYNC_OPTIONS_TYPE,
} from './jwt-auth.module-definition';
export { InjectJwtManager, getJwtManagerToken } from './inject-jwt-manager.decorator';
export { JwtManager } from './jwt-manager';
export type { JwtManagerStatus } from './jwt-manager-status';
export type {
  JwtManagerEvents,
  RefreshReason,
  TokenRefreshedEvent,
  TokenRefreshFailedEvent,
  TokenExpiredEvent,
} from './jwt-manager.events';
export { AccessToken, type TokenResponse } from './token';
/** The type of `AccessToken.claims`; the refresh planning itself is internal. */
export type { JwtClaims } from './expiry';
export { DEFAULT_JWT_SOURCE, REFRESH_DEFAULTS } from './auth.constants';
export {
  TokenRequestError,
  TokenRejectedError,
  TokenUnavailableError,
  JwtManagerClosedError,
} from './auth.errors';
export type {
  JwtAuthModuleOptions,
  JwtAuthCommonOptions,
  JwtRefreshOptions,
  MtlsAuthOptions,
  PasswordAuthOptions,
  ClientCredentialsAuthOptions,
  CustomAuthOptions,
  StrategyInstanceAuthOptions,
  StreamingLoginAuthOptions,
  StreamingClientCredentialsAuthOptions,
  StreamingServiceAuthOptions,
} from './options/jwt-auth-options.interface';
export { STREAMING_LOGIN_PATH, STREAMING_TOKEN_PATH } from './options/streaming-service-options';
export type { TokenStrategy, TokenRequestContext } from './strategies/token-strategy.interface';
export type { HttpStrategyConfig } from './strategies/http-token.strategy';
export { MtlsTokenStrategy } from './strategies/mtls.strategy';
export { PasswordTokenStrategy } from './strategies/password.strategy';
export { ClientCredentialsTokenStrategy } from './strategies/client-credentials.strategy';
export { CustomTokenStrategy } from './strategies/custom.strategy';
export { AuthenticatedHttpModule } from './http/authenticated-http.module';
export { AuthenticatedHttpClient } from './http/authenticated-http.client';
export { AUTHENTICATED_HTTP_MODULE_OPTIONS } from './http/authenticated-http.module-definition';
export type { AuthenticatedHttpModuleOptions } from './http/authenticated-http-options.interface';
export { HttpClientModule } from './http/http-client.module';
export { HttpClient } from './http/http-client';
export { HTTP_CLIENT_MODULE_OPTIONS } from './http/http-client.module-definition';
export type { HttpClientModuleOptions } from './http/http-client-options.interface';
export {
  attachJwtInterceptor,
  type JwtInterceptorOptions,
  type JwtInterceptorHandle,
} from './http/jwt.interceptor';
export { HttpStatusError, HttpNetworkError, toHttpError } from './http/http-errors';
export { jwtCredentials, type JwtCredentialsOptions } from './credentials/jwt-credentials';
export { oauthBearerProvider, type OauthBearerToken } from './credentials/oauth-bearer';
export { JwtHealthIndicator, jwtHealth, type JwtHealthResult } from './health/jwt-health.indicator';
