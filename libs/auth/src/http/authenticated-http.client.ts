import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { AxiosInstance } from 'axios';
import { ConfigurationError } from '@databus/common';
import { DEFAULT_JWT_SOURCE } from '../auth.constants';
import { UNKNOWN_SOURCE } from '../auth.messages';
import { getJwtManagerToken } from '../inject-jwt-manager.decorator';
import type { JwtManager } from '../jwt-manager';
import {
  AUTHENTICATED_HTTP_OPTION_NAMES,
  type AuthenticatedHttpModuleOptions,
} from './authenticated-http-options.interface';
import { AUTHENTICATED_HTTP_MODULE_OPTIONS } from './authenticated-http.module-definition';
import { createHttpBase, HttpBase } from './http-base';
import { attachJwtInterceptor, JwtInterceptorHandle } from './jwt.interceptor';

/**
 * Owns the axios instance behind the module's `HttpService`: the plain client's HTTP layer (keep-alive
 * agents carrying the TLS material, JSON defaults; `createHttpBase`) and the JWT interceptor (attached once, here). The token source is looked up by name when
 * the module initialises, so a missing `JwtAuthModule` fails the start, not the first request.
 * @publicApi
 */
@Injectable()
export class AuthenticatedHttpClient implements OnModuleInit, OnApplicationShutdown {
  /** The configured axios instance (also behind the exported `HttpService`). */
  readonly axios: AxiosInstance;
  private readonly base: HttpBase;
  private readonly interceptor: JwtInterceptorHandle;
  private readonly source: string;
  private manager: JwtManager | undefined;

  constructor(
    @Inject(AUTHENTICATED_HTTP_MODULE_OPTIONS) options: AuthenticatedHttpModuleOptions,
    private readonly moduleRef: ModuleRef,
  ) {
    this.base = createHttpBase(options, 'AuthenticatedHttpModule', AUTHENTICATED_HTTP_OPTION_NAMES);
    this.axios = this.base.axios;
    this.source = options.jwtSource ?? DEFAULT_JWT_SOURCE;
    this.interceptor = attachJwtInterceptor(this.axios, () => this.resolveManager(), {
      origins: [this.base.origin, ...(options.authOrigins ?? [])],
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
    this.base.close();
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
