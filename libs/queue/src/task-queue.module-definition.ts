import { ConfigurableModuleBuilder, DynamicModule, LoggerService, Provider, Type } from '@nestjs/common';
import { createBackend } from './backends/create-backend';
import type { QueueBackend } from './backends/queue-backend.interface';
import { getTaskQueueToken } from './decorators/inject-task-queue.decorator';
import { createQueueLogger } from './observability/queue-logger';
import { QueueTelemetry } from './observability/queue-telemetry';
import {
  getTaskQueueRegistryToken,
  TaskQueueHandlerRegistry,
} from './observability/task-queue-handler.registry';
import {
  getTaskQueueHealthToken,
  TaskQueueHealthIndicator,
} from './observability/task-queue-health.indicator';
import { resolveTaskQueueOptions, ResolvedTaskQueueOptions } from './options/resolve-options';
import type { TaskQueueModuleExtras, TaskQueueModuleOptions } from './options/task-queue-options.interface';
import {
  DEFAULT_CONNECTION,
  RESOLVED_TASK_QUEUE_OPTIONS,
  TASK_QUEUE_BACKEND,
  TASK_QUEUE_CONNECTION_NAME,
  TASK_QUEUE_LOGGER,
  TASK_QUEUE_TELEMETRY,
} from './task-queue.constants';
import { TaskQueue } from './task-queue.service';

/**
 * Adds what depends on the extras (never on async configuration, so the module's shape is known
 * synchronously): the connection name, the tokens `TaskQueue`, `TaskQueueHandlerRegistry` and
 * `TaskQueueHealthIndicator` are exported under (the classes for the default connection, named tokens for
 * the others), and `global`.
 */
function withConnection(definition: DynamicModule, extras: TaskQueueModuleExtras): DynamicModule {
  const name = extras.name ?? DEFAULT_CONNECTION;
  const providers: Provider[] = [{ provide: TASK_QUEUE_CONNECTION_NAME, useValue: name }];
  const exports: (string | Type)[] = [];
  const aliases: [string | Type, Type][] = [
    [getTaskQueueToken(name), TaskQueue],
    [getTaskQueueRegistryToken(name), TaskQueueHandlerRegistry],
    [getTaskQueueHealthToken(name), TaskQueueHealthIndicator],
  ];
  for (const [token, cls] of aliases) {
    if (token !== cls) providers.push({ provide: token, useExisting: cls });
    exports.push(token);
  }
  return {
    ...definition,
    global: extras.isGlobal === true,
    providers: [...(definition.providers ?? []), ...providers],
    exports: [...(definition.exports ?? []), ...exports],
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

/** Internal providers of every module instance: the logger, validated options, then the backend they select. */
export const internalProviders: Provider[] = [
  {
    provide: TASK_QUEUE_LOGGER,
    inject: [TASK_QUEUE_MODULE_OPTIONS, TASK_QUEUE_CONNECTION_NAME],
    useFactory: (options: TaskQueueModuleOptions | undefined, name: string): LoggerService =>
      createQueueLogger(options?.logger, name),
  },
  {
    provide: RESOLVED_TASK_QUEUE_OPTIONS,
    inject: [TASK_QUEUE_MODULE_OPTIONS, TASK_QUEUE_LOGGER],
    useFactory: (options: TaskQueueModuleOptions, logger: LoggerService): ResolvedTaskQueueOptions =>
      resolveTaskQueueOptions(options, (message) => logger.warn(message)),
  },
  {
    provide: TASK_QUEUE_BACKEND,
    inject: [RESOLVED_TASK_QUEUE_OPTIONS, TASK_QUEUE_LOGGER, TASK_QUEUE_CONNECTION_NAME],
    useFactory: (options: ResolvedTaskQueueOptions, logger: LoggerService, name: string) =>
      createBackend(options, logger, `databus-queue:${name}`),
  },
  {
    provide: TASK_QUEUE_TELEMETRY,
    inject: [TASK_QUEUE_BACKEND, RESOLVED_TASK_QUEUE_OPTIONS, TASK_QUEUE_CONNECTION_NAME],
    useFactory: (backend: QueueBackend, options: ResolvedTaskQueueOptions, name: string) =>
      new QueueTelemetry(backend, name, options.metrics, options.tracing),
  },
];
