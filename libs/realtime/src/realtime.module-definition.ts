import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { RealtimeModuleOptions } from './options/realtime-options.interface';

/**
 * `forRoot` / `forRootAsync` of `RealtimeModule`, built by Nest's ConfigurableModuleBuilder. The only extra
 * is `isGlobal` (nothing that shapes the module comes from async config).
 */
export const {
  ConfigurableModuleClass: RealtimeConfigurableModule,
  MODULE_OPTIONS_TOKEN: REALTIME_MODULE_OPTIONS,
  OPTIONS_TYPE: REALTIME_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: REALTIME_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<RealtimeModuleOptions>({ moduleName: 'Realtime' })
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: false }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();
