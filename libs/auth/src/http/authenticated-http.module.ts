import { Module } from '@nestjs/common';
import { HttpService } from '@nestjs/axios';
import { AuthenticatedHttpClient } from './authenticated-http.client';
import { AuthenticatedHttpConfigurableModule } from './authenticated-http.module-definition';

/**
 * An `HttpService` (@nestjs/axios) for one API that needs the JWT: keep-alive agents, base URL, JSON, custom
 * CA, and the bearer-token interceptor with a single 401 retry and typed errors.
 * ```ts
 * AuthenticatedHttpModule.register({ baseURL: 'https://api.internal', tls: { ca: '/etc/ssl/ca.pem' } })
 * ```
 * Needs a `JwtAuthModule` registration (global by default) for its `jwtSource`.
 * @publicApi
 */
@Module({
  providers: [
    AuthenticatedHttpClient,
    {
      provide: HttpService,
      inject: [AuthenticatedHttpClient],
      useFactory: (c: AuthenticatedHttpClient) => new HttpService(c.axios),
    },
  ],
  exports: [HttpService, AuthenticatedHttpClient],
})
export class AuthenticatedHttpModule extends AuthenticatedHttpConfigurableModule {}
