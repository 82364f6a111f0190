import type { DatabusMetrics } from '@databus/common';
import type { LoggerService } from '@nestjs/common';
import type { BackoffOptions, TlsOptions } from '@databus/common';
import type { TokenResponse } from '../token';
import type { TokenRequestContext, TokenStrategy } from '../strategies/token-strategy.interface';

/** When tokens are refreshed and how failures are retried. Every field has a safe default. @publicApi */
export interface JwtRefreshOptions {
  /** Start the background refresh this long before expiry (scaled down for short-lived tokens). @default 300_000 */
  windowMs?: number;
  /** Smallest refresh window, unless that exceeds half the token lifetime. @default 30_000 */
  minWindowMs?: number;
  /** Hard margin: with less than this left (at most 10 % of the lifetime) a token is unusable and callers wait. @default 10_000 */
  marginMs?: number;
  /** Largest random advance of the refresh (at most 10 % of the lifetime). @default 60_000 */
  jitterMs?: number;
  /** Least time between a token being obtained and its scheduled refresh (at most half the lifetime). @default 30_000 */
  minIntervalMs?: number;
  /** Least time between two forced refreshes (HTTP 401); within it, callers get the current token. @default 10_000 */
  forcedMinIntervalMs?: number;
  /** Backoff between failed attempts; permanent failures (bad credentials) wait `maxMs`. @default { initialMs: 1000, maxMs: 30000, factor: 2, jitter: 0.2 } */
  backoff?: BackoffOptions;
}

/** Options shared by every strategy. @publicApi */
export interface JwtAuthCommonOptions {
  /**
   * Name of this token source, to register several in one application (`@InjectJwtManager('gateway')`).
   * Fixed at import time: with `forRootAsync` give it next to `useFactory`, not inside the factory's result.
   * @default 'default'
   */
  name?: string;
  /** Make the manager injectable everywhere without importing the module again. @default true */
  isGlobal?: boolean;
  /** Fetch a token during module init and fail the application start when that fails. @default true */
  failOnStartup?: boolean;
  /** Time limit of one token request. @default 10_000 */
  requestTimeoutMs?: number;
  refresh?: JwtRefreshOptions;
  /** Clock, epoch milliseconds (tests inject a fake one). @default Date.now */
  now?: () => number;
  /** Random source of the jitters, in [0, 1). @default Math.random */
  random?: () => number;
  /** Where the manager logs (fingerprints only, never tokens). `false` silences it. @default Nest's Logger */
  logger?: LoggerService | false;
  /** Counts token refreshes (`databus_token_refreshes_total{source,outcome}`), e.g. `createPrometheusMetrics()`. @default none */
  metrics?: DatabusMetrics;
}

/** Options of the HTTP token strategies. */
interface HttpTokenOptions {
  /** URL of the token endpoint (gateway, login or OAuth2 token URL). */
  tokenUrl: string;
  /** HTTP method of the token request. */
  method?: 'GET' | 'POST';
  /** Extra request headers (for example an API key header; values are never logged). */
  headers?: Record<string, string>;
  /**
   * Dotted path of the token in a JSON answer (`token`, `data.jwt`); absent = the raw body is the token.
   * An `expires_in` field next to the root of the answer is used for the expiry.
   */
  tokenField?: string;
}

/**
 * Exchange a client certificate for a JWT at a gateway over mutual TLS (the API-gateway pattern).
 * The server is verified against `tls.ca` (or Node's CA store); TLS verification cannot be turned off here.
 * @publicApi
 */
export interface MtlsAuthOptions extends JwtAuthCommonOptions, HttpTokenOptions {
  strategy: 'mtls';
  /** Client certificate + key (paths or PEM text) or a PKCS#12 `pfx` with its `passphrase`, and the CA bundle. */
  tls: Omit<TlsOptions, 'insecure'>;
  /** @default 'GET' */
  method?: 'GET' | 'POST';
}

/**
 * Log in with a username and password (HTTP Basic by default) and read the token from the answer.
 * @publicApi
 */
export interface PasswordAuthOptions extends JwtAuthCommonOptions, HttpTokenOptions {
  strategy: 'password';
  username: string;
  /** Never logged. */
  password: string;
  /** How the credentials are sent: HTTP Basic, a JSON body or a form body. @default 'basic' */
  credentials?: 'basic' | 'json' | 'form';
  /** Body field names for `json` / `form`. @default { username: 'username', password: 'password' } */
  fields?: { username?: string; password?: string };
  /** @default 'GET' for 'basic', else 'POST' */
  method?: 'GET' | 'POST';
  /** @default 'token' */
  tokenField?: string;
  /** CA bundle (and optionally a client certificate) for an https login URL. */
  tls?: TlsOptions;
}

/**
 * OAuth 2.0 client credentials grant (RFC 6749 §4.4).
 * @publicApi
 */
export interface ClientCredentialsAuthOptions extends JwtAuthCommonOptions, Omit<HttpTokenOptions, 'method'> {
  strategy: 'client_credentials';
  clientId: string;
  /** Never logged. */
  clientSecret: string;
  /** `client_secret_basic` (HTTP Basic, RFC 6749 §2.3.1) or `client_secret_post` (in the body). @default 'client_secret_basic' */
  clientAuth?: 'client_secret_basic' | 'client_secret_post';
  /** Requested scope(s), sent space-separated. */
  scope?: string | string[];
  /** `audience` parameter (Auth0, Okta and others). */
  audience?: string;
  /** More form parameters (for example `resource`). */
  extraParams?: Record<string, string>;
  /** The `grant_type` sent. @default 'client_credentials' */
  grantType?: string;
  /** @default 'access_token' */
  tokenField?: string;
  tls?: TlsOptions;
}

/**
 * Any async function that returns a token (a string or a `TokenResponse`), wrapped by the same cache,
 * refresh and single-flight logic. Throw an `AuthenticationError` for permanent failures.
 * @publicApi
 */
export interface CustomAuthOptions extends JwtAuthCommonOptions {
  strategy: 'custom';
  fetchToken: (context: TokenRequestContext) => Promise<string | TokenResponse>;
}

/** A ready-made `TokenStrategy` object. @publicApi */
export interface StrategyInstanceAuthOptions extends JwtAuthCommonOptions {
  strategy: TokenStrategy;
}

/**
 * The REST streaming service's login (the seed channel's `ChannelAuth`): `GET {baseUrl}/identity/v1/login`
 * with HTTP Basic credentials; the token is `AuthorizationToken` of the JSON answer.
 * @publicApi
 */
export interface StreamingLoginAuthOptions extends JwtAuthCommonOptions {
  strategy: 'streaming_login';
  /** Base URL of the streaming service, e.g. `https://streaming.example.com`. */
  baseUrl: string;
  username: string;
  /** Never logged. */
  password: string;
  /** CA bundle of an https service. Verification stays on unless `insecure: true`. */
  tls?: TlsOptions;
}

/**
 * The REST streaming service's client-credentials login (the seed's `ClientCredentialsChannelAuth`):
 * `POST {baseUrl}/iam/v1.4/token` with HTTP Basic `clientId:clientSecret` and a form body of `grant_type`,
 * `scope` and `audience`; the token is `access_token`.
 * @publicApi
 */
export interface StreamingClientCredentialsAuthOptions extends JwtAuthCommonOptions {
  strategy: 'streaming_client_credentials';
  /** Base URL of the streaming service. */
  baseUrl: string;
  clientId: string;
  /** Never logged. */
  clientSecret: string;
  scope?: string | string[];
  audience?: string;
  /** @default 'client_credentials' */
  grantType?: string;
  tls?: TlsOptions;
}

/** Either login of the REST streaming service. */
export type StreamingServiceAuthOptions = StreamingLoginAuthOptions | StreamingClientCredentialsAuthOptions;

/** Options of `JwtAuthModule.forRoot` / `forRootAsync`, one variant per strategy. @publicApi */
export type JwtAuthModuleOptions =
  | StreamingLoginAuthOptions
  | StreamingClientCredentialsAuthOptions
  | MtlsAuthOptions
  | PasswordAuthOptions
  | ClientCredentialsAuthOptions
  | CustomAuthOptions
  | StrategyInstanceAuthOptions;
