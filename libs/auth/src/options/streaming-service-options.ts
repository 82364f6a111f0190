import { httpUrl } from './http-url';
import type {
  ClientCredentialsAuthOptions,
  PasswordAuthOptions,
  StreamingServiceAuthOptions,
} from './jwt-auth-options.interface';

/** Path of the REST streaming service's username/password login. */
export const STREAMING_LOGIN_PATH = '/identity/v1/login';
/** Path of the REST streaming service's client-credentials token endpoint. */
export const STREAMING_TOKEN_PATH = '/iam/v1.4/token';

/**
 * Rewrites a streaming-service login into the generic HTTP strategy it is (password or client credentials)
 * with the service's fixed paths and token fields, so refresh, single-flight and redaction are the same.
 */
export function expandStreamingServiceOptions(
  raw: StreamingServiceAuthOptions,
  prefix: string,
): PasswordAuthOptions | ClientCredentialsAuthOptions {
  const base = baseUrl(raw.baseUrl, `${prefix}.baseUrl`);
  return raw.strategy === 'streaming_login'
    ? { ...ownOptions(raw), ...LOGIN, tokenUrl: `${base}${STREAMING_LOGIN_PATH}` }
    : { ...ownOptions(raw), ...TOKEN, tokenUrl: `${base}${STREAMING_TOKEN_PATH}` };
}

/** The options the user gave, less the two that the expansion replaces. */
function ownOptions<T extends StreamingServiceAuthOptions>(raw: T): Omit<T, 'strategy' | 'baseUrl'> {
  const { strategy: _strategy, baseUrl: _baseUrl, ...rest } = raw;
  return rest;
}

/** The fixed settings of the service's username/password login (HTTP Basic on a GET). */
const LOGIN = {
  strategy: 'password',
  method: 'GET',
  credentials: 'basic',
  tokenField: 'AuthorizationToken',
} as const satisfies Partial<PasswordAuthOptions>;

/** The fixed settings of the service's client-credentials token endpoint. */
const TOKEN = {
  strategy: 'client_credentials',
  clientAuth: 'client_secret_basic',
  tokenField: 'access_token',
} as const satisfies Partial<ClientCredentialsAuthOptions>;

function baseUrl(value: unknown, option: string): string {
  const url = httpUrl(value, option, 'the absolute http(s) URL of the streaming service');
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}
