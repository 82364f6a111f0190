import { ConfigurableModuleBuilder, DynamicModule, Logger, Provider } from '@nestjs/common';
import { createBackend } from './backends/create-backend';
import { getTaskQueueToken } from './decorators/inject-task-queue.decorator';
import { resolveTaskQueueOptions, ResolvedTaskQueueOptions } from './options/resolve-options';
import type { TaskQueueModuleExtras, TaskQueueModuleOptions } from './options/task-queue-options.interface';
import {
  DEFAULT_CONNECTION,
  RESOLVED_TASK_QUEUE_OPTIONS,
  TASK_QUEUE_BACKEND,
  TASK_QUEUE_CONNECTION_NAME,
} from './task-queue.constants';
import { TaskQueue } from './task-queue.service';

/**
 * Adds what depends on the extras (never on async configuration, so the module's shape is known
 * synchronously): the connection name, the `TaskQueue` token it is exported under, and `global`.
 */
function withConnection(definition: DynamicModule, extras: TaskQueueModuleExtras): DynamicModule {
  const name = extras.name ?? DEFAULT_CONNECTION;
  const token = getTaskQueueToken(name);
  const providers: Provider[] = [{ provide: TASK_QUEUE_CONNECTION_NAME, useValue: name }];
  if (token !== TaskQueue) providers.push({ provide: token, useExisting: TaskQueue });
  return {
    ...definition,
    global: extras.isGlobal === true,
    providers: [...(definition.providers ?? []), ...providers],
    exports: [...(definition.exports ?? []), token],
  };
}

export const {
  ConfigurableModuleClass: TaskQueueConfigurableModule,
  MODULE_OPTIONS_TOKEN: TASK_QUEUE_MODULE_OPTIONS,
  OPTIONS_TYPE: TASK_QUEUE_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: TASK_QUEUE_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<TaskQueueModuleOptions>({ moduleName: 'TaskQueue' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createTaskQueueOptions')
  .setExtras<TaskQueueModuleExtras>({ isGlobal: false, name: DEFAULT_CONNECTION }, withConnection)
  .build();

/** Internal providers of every module instance: validated options, then the backend they select. */
export const internalProviders: Provider[] = [
  {
    provide: RESOLVED_TASK_QUEUE_OPTIONS,
    inject: [TASK_QUEUE_MODULE_OPTIONS, TASK_QUEUE_CONNECTION_NAME],
    useFactory: (options: TaskQueueModuleOptions, name: string): ResolvedTaskQueueOptions =>
      resolveTaskQueueOptions(options, (message) => new Logger(`TaskQueue:${name}`).warn(message)),
  },
  {
    provide: TASK_QUEUE_BACKEND,
    inject: [RESOLVED_TASK_QUEUE_OPTIONS, TASK_QUEUE_CONNECTION_NAME],
    useFactory: (options: ResolvedTaskQueueOptions, name: string) =>
      createBackend(options, new Logger(`TaskQueue:${name}`), `databus-queue:${name}`),
  },
];
