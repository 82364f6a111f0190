import type { TlsOptions } from '@databus/common';
import { assertNonEmptyString, ConfigurationError, describeValue } from '@databus/common';
import type {
  ClientCredentialsAuthOptions,
  JwtAuthCommonOptions,
  PasswordAuthOptions,
} from './jwt-auth-options.interface';

/** Path of the REST streaming service's username/password login. */
export const STREAMING_LOGIN_PATH = '/identity/v1/login';
/** Path of the REST streaming service's client-credentials token endpoint. */
export const STREAMING_TOKEN_PATH = '/iam/v1.4/token';

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

/**
 * Rewrites a streaming-service login into the generic HTTP strategy it is (password or client credentials)
 * with the service's fixed paths and token fields, so refresh, single-flight and redaction are the same.
 */
export function expandStreamingServiceOptions(
  raw: StreamingServiceAuthOptions,
  prefix: string,
): PasswordAuthOptions | ClientCredentialsAuthOptions {
  const base = baseUrl(raw.baseUrl, `${prefix}.baseUrl`);
  if (raw.strategy === 'streaming_login') {
    const { strategy: _strategy, baseUrl: _baseUrl, ...rest } = raw;
    return {
      ...rest,
      strategy: 'password',
      tokenUrl: `${base}${STREAMING_LOGIN_PATH}`,
      method: 'GET',
      credentials: 'basic',
      tokenField: 'AuthorizationToken',
    };
  }
  const { strategy: _strategy, baseUrl: _baseUrl, ...rest } = raw;
  return {
    ...rest,
    strategy: 'client_credentials',
    tokenUrl: `${base}${STREAMING_TOKEN_PATH}`,
    clientAuth: 'client_secret_basic',
    tokenField: 'access_token',
  };
}

function baseUrl(value: unknown, option: string): string {
  const text = assertNonEmptyString(value, option);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigurationError(option, 'the absolute http(s) URL of the streaming service', {
      received: describeValue(text),
    });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new ConfigurationError(option, 'an http:// or https:// URL', { received: `a ${url.protocol} URL` });
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}
