import type { AuthenticatedHttpModuleOptions } from './authenticated-http-options.interface';
import { httpModuleBuilder } from './http-module-builder';

/** The ConfigurableModuleBuilder output behind `AuthenticatedHttpModule` (`register` / `registerAsync`). */
export const {
  ConfigurableModuleClass: AuthenticatedHttpConfigurableModule,
  MODULE_OPTIONS_TOKEN: AUTHENTICATED_HTTP_MODULE_OPTIONS,
  OPTIONS_TYPE: AUTHENTICATED_HTTP_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: AUTHENTICATED_HTTP_ASYNC_OPTIONS_TYPE,
} = httpModuleBuilder<AuthenticatedHttpModuleOptions, 'createAuthenticatedHttpOptions'>(
  'AuthenticatedHttp',
  'createAuthenticatedHttpOptions',
);
