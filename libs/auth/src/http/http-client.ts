import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { AxiosInstance } from 'axios';
import { createHttpBase, HttpBase } from './http-base';
import type { HttpClientModuleOptions } from './http-client-options.interface';
import { HTTP_CLIENT_MODULE_OPTIONS } from './http-client.module-definition';
import { toHttpError } from './http-errors';

/**
 * Owns the axios instance behind `HttpClientModule`'s `HttpService`: base URL, JSON defaults, timeout, and
 * keep-alive agents with the TLS material; failures are typed (`HttpStatusError`, `HttpNetworkError`,
 * `RequestTimeoutError`) and carry no request headers. No token source is involved. The agents' sockets
 * close with the application.
 * @publicApi
 */
@Injectable()
export class HttpClient implements OnApplicationShutdown {
  /** The configured axios instance (also behind the exported `HttpService`). */
  readonly axios: AxiosInstance;
  private readonly base: HttpBase;

  constructor(@Inject(HTTP_CLIENT_MODULE_OPTIONS) options: HttpClientModuleOptions) {
    this.base = createHttpBase(options, 'HttpClientModule');
    this.axios = this.base.axios;
    this.axios.interceptors.response.use(undefined, (error: unknown) => Promise.reject(toHttpError(error)));
  }

  onApplicationShutdown(): void {
    this.base.close();
  }
}
