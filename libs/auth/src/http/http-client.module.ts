import { Module } from '@nestjs/common';
import { HttpService } from '@nestjs/axios';
import { HttpClient } from './http-client';
import { HttpClientConfigurableModule } from './http-client.module-definition';

/**
 * An `HttpService` (@nestjs/axios) for one API that needs no token: the course's `requests.Session` with a
 * base URL, keep-alive, JSON, a custom CA and typed status errors.
 * ```ts
 * HttpClientModule.register({ baseURL: 'https://api.internal', tls: { ca: '/etc/ssl/ca.pem' }, timeoutMs: 5_000 })
 * ```
 * For an API that needs the JWT, use `AuthenticatedHttpModule` (the same options, plus the token source).
 * @publicApi
 */
@Module({
  providers: [
    HttpClient,
    { provide: HttpService, inject: [HttpClient], useFactory: (c: HttpClient) => new HttpService(c.axios) },
  ],
  exports: [HttpService, HttpClient],
})
export class HttpClientModule extends HttpClientConfigurableModule {}
