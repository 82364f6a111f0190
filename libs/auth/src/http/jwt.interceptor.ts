import { AxiosError, AxiosInstance, InternalAxiosRequestConfig, isAxiosError } from 'axios';
import { ConfigurationError } from '@databus/common';
import type { JwtManager } from '../jwt-manager';
import type { AccessToken } from '../token';
import { toHttpError } from './http-errors';

declare module 'axios' {
  interface AxiosRequestConfig {
    /** `true`: the JWT interceptor leaves this request alone (no token, no 401 retry). */
    skipAuth?: boolean;
  }
}

/** Options of `attachJwtInterceptor`. @publicApi */
export interface JwtInterceptorOptions {
  /**
   * Origins (`https://api.example.com:8443`) whose requests get the bearer token. Requests elsewhere go out
   * without it. @default the origin of the instance's `baseURL`
   */
  origins?: string[];
  /** Replay a request once after a 401, with a token from a (coalesced) forced refresh. @default true */
  retryOn401?: boolean;
}

/** Detaches an interceptor from its axios instance. @publicApi */
export interface JwtInterceptorHandle {
  detach(): void;
}

/** What the interceptor records on a request config it handled. */
interface AuthState {
  databusAuthToken?: AccessToken;
  databusAuthRetried?: boolean;
}
type AuthConfig = InternalAxiosRequestConfig & AuthState;

const attached = new WeakMap<AxiosInstance, JwtInterceptorHandle>();

/**
 * Adds the bearer-token interceptor to an axios instance (exactly once: attaching again returns the existing
 * handle). It:
 * - sets `Authorization: Bearer …` on requests to the allowed origins only, never overwriting an explicit
 *   `Authorization` header, skipping requests with `skipAuth: true`;
 * - on a 401 for a request it authorised, asks for a forced refresh (shared by all concurrent 401s, and
 *   skipped when a newer token already exists) and replays the request once; a second 401 is final;
 *   403 is never retried, nor are streamed bodies;
 * - turns failures into typed errors (`HttpStatusError`, `HttpNetworkError`, `RequestTimeoutError`) that carry no
 *   headers, so logging them cannot leak the token.
 * @publicApi
 */
export function attachJwtInterceptor(
  instance: AxiosInstance,
  manager: JwtManager | (() => JwtManager),
  options: JwtInterceptorOptions = {},
): JwtInterceptorHandle {
  const existing = attached.get(instance);
  if (existing) return existing;
  const origins = resolveOrigins(instance, options.origins);
  const source = typeof manager === 'function' ? manager : () => manager;
  const retryOn401 = options.retryOn401 ?? true;

  const requestId = instance.interceptors.request.use(async (config: AuthConfig) => {
    if (config.skipAuth || !origins.has(originOf(instance, config))) return config;
    if (config.headers.has('Authorization') && !config.databusAuthToken) return config;
    const token = await source().getToken();
    config.headers.set('Authorization', token.authorization);
    config.databusAuthToken = token;
    return config;
  });

  const responseId = instance.interceptors.response.use(undefined, async (error: unknown) => {
    const config = (isAxiosError(error) ? error.config : undefined) as AuthConfig | undefined;
    if (
      retryOn401 &&
      isAxiosError(error) &&
      error.response?.status === 401 &&
      config?.databusAuthToken &&
      !config.databusAuthRetried &&
      isReplayable(config.data)
    ) {
      try {
        await source().forceRefresh(config.databusAuthToken);
      } catch (refreshError) {
        throw Object.assign(toHttpError(error) as Error, { refreshError });
      }
      return instance.request({ ...config, databusAuthRetried: true } as AuthConfig);
    }
    throw toHttpError(error as AxiosError);
  });

  const handle: JwtInterceptorHandle = {
    detach: () => {
      instance.interceptors.request.eject(requestId);
      instance.interceptors.response.eject(responseId);
      attached.delete(instance);
    },
  };
  attached.set(instance, handle);
  return handle;
}

function resolveOrigins(instance: AxiosInstance, configured: string[] | undefined): Set<string> {
  const list = configured ?? (instance.defaults.baseURL ? [instance.defaults.baseURL] : []);
  if (!list.length)
    throw new ConfigurationError(
      'attachJwtInterceptor.origins',
      'at least one origin that may receive the token (or an axios instance with a baseURL)',
    );
  return new Set(
    list.map((value, i) => {
      try {
        return new URL(value).origin;
      } catch {
        throw new ConfigurationError(`attachJwtInterceptor.origins[${i}]`, 'an absolute URL or origin', {
          received: JSON.stringify(value),
        });
      }
    }),
  );
}

function originOf(instance: AxiosInstance, config: InternalAxiosRequestConfig): string {
  try {
    return new URL(instance.getUri(config)).origin;
  } catch {
    return '';
  }
}

function isReplayable(data: unknown): boolean {
  if (data === null || typeof data !== 'object') return true;
  return (
    typeof (data as { pipe?: unknown }).pipe !== 'function' &&
    typeof (data as { getReader?: unknown }).getReader !== 'function'
  );
}
