import type { CreateAxiosDefaults } from 'axios';
import type { TlsOptions } from '@databus/common';

/**
 * Options of `HttpClientModule.register` / `registerAsync` (a plain HTTP client, no token source), and the
 * base of `AuthenticatedHttpModule`'s options. @publicApi
 */
export interface HttpClientModuleOptions {
  /** Base URL of the API (absolute http(s) URL); relative request URLs resolve against it. */
  baseURL: string;
  /**
   * CA bundle (file paths, PEM text or PKCS#12) for https APIs with a private CA, and optionally a client
   * certificate. Verification is on unless `insecure: true` (which warns).
   */
  tls?: TlsOptions;
  /** Per-request timeout (connect, send and answer); a slower request fails with `RequestTimeoutError`. @default 30_000 */
  timeoutMs?: number;
  /** Headers sent with every request (besides `Accept: application/json`). */
  headers?: Record<string, string>;
  /** Reuse connections between requests (the keep-alive agent of a `requests.Session`). @default true */
  keepAlive?: boolean;
  /** Largest number of sockets per origin. @default 50 */
  maxSockets?: number;
  /** Further axios defaults (agents, baseURL and timeout come from the options above). */
  axios?: Omit<CreateAxiosDefaults, 'baseURL' | 'httpAgent' | 'httpsAgent' | 'timeout'>;
}

/** The option names of {@link HttpClientModuleOptions}, for `assertKnownOptions`. */
export const HTTP_CLIENT_OPTION_NAMES = [
  'baseURL',
  'tls',
  'timeoutMs',
  'headers',
  'keepAlive',
  'maxSockets',
  'axios',
] as const;
