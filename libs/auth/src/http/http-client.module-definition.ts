import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { HttpClientModuleOptions } from './http-client-options.interface';

/** The ConfigurableModuleBuilder output behind `HttpClientModule` (`register` / `registerAsync`). */
export const {
  ConfigurableModuleClass: HttpClientConfigurableModule,
  MODULE_OPTIONS_TOKEN: HTTP_CLIENT_MODULE_OPTIONS,
} = new ConfigurableModuleBuilder<HttpClientModuleOptions>({ moduleName: 'HttpClient' })
  .setClassMethodName('register')
  .setFactoryMethodName('createHttpClientOptions')
  .setExtras<{ isGlobal?: boolean }>({ isGlobal: false }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal ?? false,
  }))
  .build();
