import type { HttpClientModuleOptions } from './http-client-options.interface';

/**
 * Options of `AuthenticatedHttpModule.register` / `registerAsync`: those of the plain `HttpClientModule`
 * (base URL, TLS, timeout, keep-alive, headers), plus the token source. @publicApi
 */
export interface AuthenticatedHttpModuleOptions extends HttpClientModuleOptions {
  /** Base URL of the API; relative request URLs resolve against it, and its origin receives the token. */
  baseURL: string;
  /** Which token source authorises the requests (its `JwtAuthModule` `name`). @default 'default' */
  jwtSource?: string;
  /** More origins that receive the token, besides the origin of `baseURL`. */
  authOrigins?: string[];
  /** Replay a request once after a 401, with a token from a forced refresh. @default true */
  retryOn401?: boolean;
}

/** The option names `AuthenticatedHttpModule` adds to the plain client's. */
export const AUTHENTICATED_HTTP_OPTION_NAMES = ['jwtSource', 'authOrigins', 'retryOn401'] as const;
