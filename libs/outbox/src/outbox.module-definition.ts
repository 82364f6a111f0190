import { ConfigurableModuleBuilder, DynamicModule } from '@nestjs/common';
import type { OutboxModuleOptions } from './options/outbox-options.interface';

/** Module-shape options of `OutboxModule`. @publicApi */
export interface OutboxModuleExtras {
  /** Register the module globally (its `OutboxService` injectable everywhere). @default false */
  isGlobal?: boolean;
}

export const {
  ConfigurableModuleClass: OutboxConfigurableModule,
  MODULE_OPTIONS_TOKEN: OUTBOX_MODULE_OPTIONS,
  OPTIONS_TYPE: OUTBOX_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: OUTBOX_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<OutboxModuleOptions>({ moduleName: 'Outbox' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createOutboxOptions')
  .setExtras<OutboxModuleExtras>({ isGlobal: false }, (definition: DynamicModule, extras): DynamicModule => ({
    ...definition,
    global: extras.isGlobal === true,
  }))
  .build();
