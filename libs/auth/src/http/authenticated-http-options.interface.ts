import type { CreateAxiosDefaults } from 'axios';
import type { TlsOptions } from '@databus/common';

/** Options of `AuthenticatedHttpModule.register` / `registerAsync`. @publicApi */
export interface AuthenticatedHttpModuleOptions {
  /** Base URL of the API; relative request URLs resolve against it, and its origin receives the token. */
  baseURL: string;
  /** Which token source authorises the requests (its `JwtAuthModule` `name`). @default 'default' */
  jwtSource?: string;
  /** CA bundle (and optionally a client certificate) for https APIs; verification is on unless `insecure`. */
  tls?: TlsOptions;
  /** Per-request timeout. @default 30_000 */
  timeoutMs?: number;
  /** Headers sent with every request (besides `Accept: application/json`). */
  headers?: Record<string, string>;
  /** More origins that receive the token, besides the origin of `baseURL`. */
  authOrigins?: string[];
  /** Largest number of sockets per origin of the keep-alive agent. @default 50 */
  maxSockets?: number;
  /** Replay a request once after a 401, with a token from a forced refresh. @default true */
  retryOn401?: boolean;
  /** Further axios defaults (agents, baseURL and timeout come from the options above). */
  axios?: Omit<CreateAxiosDefaults, 'baseURL' | 'httpAgent' | 'httpsAgent' | 'timeout'>;
}
