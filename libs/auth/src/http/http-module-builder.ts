import { ConfigurableModuleBuilder } from '@nestjs/common';

/**
 * The ConfigurableModuleBuilder output of an HTTP client module of this package (`register` /
 * `registerAsync`, the factory method `factoryMethodName` of `useClass` / `useExisting`, and the import-time
 * extra `isGlobal`, default false).
 */
export function httpModuleBuilder<O, F extends string>(moduleName: string, factoryMethodName: F) {
  return new ConfigurableModuleBuilder<O>({ moduleName })
    .setClassMethodName('register')
    .setFactoryMethodName(factoryMethodName)
    .setExtras<{ isGlobal?: boolean }>({ isGlobal: false }, (definition, extras) => ({
      ...definition,
      global: extras.isGlobal ?? false,
    }))
    .build();
}
