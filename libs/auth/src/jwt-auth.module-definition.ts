import { ConfigurableModuleBuilder, Logger, Provider } from '@nestjs/common';
import { ConfigurationError } from '@databus/common';
import { DEFAULT_JWT_SOURCE, JWT_SOURCE_NAME } from './auth.constants';
import { getJwtManagerToken } from './inject-jwt-manager.decorator';
import { JwtManager } from './jwt-manager';
import type { JwtAuthModuleOptions } from './options/jwt-auth-options.interface';
import { resolveJwtAuthOptions } from './options/resolve-jwt-auth-options';

/** Module-shape options: known at import time, never taken from an async factory. */
interface JwtAuthExtras {
  name?: string;
  isGlobal?: boolean;
}

/**
 * The ConfigurableModuleBuilder output behind `JwtAuthModule`: `forRoot` / `forRootAsync`, the options token
 * `JWT_AUTH_MODULE_OPTIONS`, and the option types. `name` and `isGlobal` are import-time extras: they decide
 * which provider token the manager gets, so they cannot come from an async factory.
 */
export const {
  ConfigurableModuleClass: JwtAuthConfigurableModule,
  MODULE_OPTIONS_TOKEN: JWT_AUTH_MODULE_OPTIONS,
  OPTIONS_TYPE: JWT_AUTH_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: JWT_AUTH_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<JwtAuthModuleOptions>({ moduleName: 'JwtAuth' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createJwtAuthOptions')
  .setExtras<JwtAuthExtras>({ name: DEFAULT_JWT_SOURCE, isGlobal: true }, (definition, extras) => {
    const name = extras.name ?? DEFAULT_JWT_SOURCE;
    const token = getJwtManagerToken(name);
    const providers: Provider[] = [
      ...(definition.providers ?? []),
      { provide: JWT_SOURCE_NAME, useValue: name },
      {
        provide: token,
        inject: [JWT_AUTH_MODULE_OPTIONS, JWT_SOURCE_NAME],
        useFactory: (options: JwtAuthModuleOptions, source: string) => {
          if (options && typeof options === 'object' && options.name !== undefined && options.name !== source)
            // Only forRootAsync can get here: the factory's result cannot rename the source after import.
            throw new ConfigurationError(
              `JwtAuthModule[${source}].name`,
              'the name given next to useFactory in forRootAsync({ name, useFactory }), not in the factory result',
              { received: JSON.stringify(options.name) },
            );
          return new JwtManager(resolveJwtAuthOptions(options, source, new Logger()));
        },
      },
    ];
    return { ...definition, global: extras.isGlobal ?? true, providers, exports: [token] };
  })
  .build();
