import type { HttpClientModuleOptions } from './http-client-options.interface';
import { httpModuleBuilder } from './http-module-builder';

/** The ConfigurableModuleBuilder output behind `HttpClientModule` (`register` / `registerAsync`). */
export const {
  ConfigurableModuleClass: HttpClientConfigurableModule,
  MODULE_OPTIONS_TOKEN: HTTP_CLIENT_MODULE_OPTIONS,
} = httpModuleBuilder<HttpClientModuleOptions, 'createHttpClientOptions'>(
  'HttpClient',
  'createHttpClientOptions',
);
