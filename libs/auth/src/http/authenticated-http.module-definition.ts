import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { AuthenticatedHttpModuleOptions } from './authenticated-http-options.interface';

/** The ConfigurableModuleBuilder output behind `AuthenticatedHttpModule` (`register` / `registerAsync`). */
export const {
  ConfigurableModuleClass: AuthenticatedHttpConfigurableModule,
  MODULE_OPTIONS_TOKEN: AUTHENTICATED_HTTP_MODULE_OPTIONS,
  OPTIONS_TYPE: AUTHENTICATED_HTTP_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: AUTHENTICATED_HTTP_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<AuthenticatedHttpModuleOptions>({ moduleName: 'AuthenticatedHttp' })
  .setClassMethodName('register')
  .setFactoryMethodName('createAuthenticatedHttpOptions')
  .setExtras<{ isGlobal?: boolean }>({ isGlobal: false }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal ?? false,
  }))
  .build();
