import * as http from 'node:http';
import * as https from 'node:https';
import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import axios, { AxiosInstance } from 'axios';
import {
  assertDuration,
  assertInteger,
  assertNonEmptyString,
  ConfigurationError,
  loadTlsMaterial,
} from '@databus/common';
import { DEFAULT_JWT_SOURCE } from '../auth.constants';
import { UNKNOWN_SOURCE } from '../auth.messages';
import { getJwtManagerToken } from '../inject-jwt-manager.decorator';
import type { JwtManager } from '../jwt-manager';
import type { AuthenticatedHttpModuleOptions } from './authenticated-http-options.interface';
import { AUTHENTICATED_HTTP_MODULE_OPTIONS } from './authenticated-http.module-definition';
import { attachJwtInterceptor, JwtInterceptorHandle } from './jwt.interceptor';

/**
 * Owns the axios instance behind the module's `HttpService`: keep-alive agents carrying the TLS material,
 * JSON defaults, and the JWT interceptor (attached once, here). The token source is looked up by name when
 * the module initialises, so a missing `JwtAuthModule` fails the start, not the first request.
 * @publicApi
 */
@Injectable()
export class AuthenticatedHttpClient implements OnModuleInit, OnApplicationShutdown {
  /** The configured axios instance (also behind the exported `HttpService`). */
  readonly axios: AxiosInstance;
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  private readonly interceptor: JwtInterceptorHandle;
  private readonly source: string;
  private manager: JwtManager | undefined;

  constructor(
    @Inject(AUTHENTICATED_HTTP_MODULE_OPTIONS) options: AuthenticatedHttpModuleOptions,
    private readonly moduleRef: ModuleRef,
  ) {
    const p = 'AuthenticatedHttpModule';
    if (options === null || typeof options !== 'object')
      throw new ConfigurationError(p, 'an options object with a baseURL');
    const baseURL = assertNonEmptyString(options.baseURL, `${p}.baseURL`);
    let base: URL;
    try {
      base = new URL(baseURL);
    } catch {
      throw new ConfigurationError(`${p}.baseURL`, 'an absolute http(s) URL', {
        received: JSON.stringify(baseURL),
      });
    }
    this.source = options.jwtSource ?? DEFAULT_JWT_SOURCE;
    const timeout = assertDuration(options.timeoutMs ?? 30_000, `${p}.timeoutMs`, 1);
    const maxSockets = assertInteger(options.maxSockets ?? 50, `${p}.maxSockets`, 1);
    const tls = options.tls
      ? loadTlsMaterial(options.tls, `${p}.tls`, (m) => new Logger('AuthenticatedHttpModule').warn(m))
      : undefined;
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets });
    this.httpsAgent = new https.Agent({ keepAlive: true, maxSockets, ...(tls ?? {}) });
    this.axios = axios.create({
      ...(options.axios ?? {}),
      baseURL,
      timeout,
      headers: { Accept: 'application/json', ...(options.headers ?? {}) },
      httpAgent: this.httpAgent,
      httpsAgent: this.httpsAgent,
    });
    this.interceptor = attachJwtInterceptor(this.axios, () => this.resolveManager(), {
      origins: [base.origin, ...(options.authOrigins ?? [])],
      retryOn401: options.retryOn401 ?? true,
    });
  }

  /** The token source authorising this client. */
  get jwtManager(): JwtManager {
    return this.resolveManager();
  }

  onModuleInit(): void {
    this.resolveManager();
  }

  onApplicationShutdown(): void {
    this.interceptor.detach();
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  private resolveManager(): JwtManager {
    if (this.manager) return this.manager;
    try {
      this.manager = this.moduleRef.get<JwtManager>(getJwtManagerToken(this.source), { strict: false });
    } catch (error) {
      throw new ConfigurationError('AuthenticatedHttpModule.jwtSource', UNKNOWN_SOURCE(this.source), {
        cause: error,
      });
    }
    if (!this.manager)
      throw new ConfigurationError('AuthenticatedHttpModule.jwtSource', UNKNOWN_SOURCE(this.source));
    return this.manager;
  }
}
