import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { QueueHandlerExplorer } from './discovery/queue-handler.explorer';
import { QueueMetadataAccessor } from './discovery/queue-metadata.accessor';
import { QueueParamsFactory } from './discovery/queue-params.factory';
import { TaskQueueHandlerRegistry } from './observability/task-queue-handler.registry';
import { TaskQueueHealthIndicator } from './observability/task-queue-health.indicator';
import { HandlerOrchestrator } from './runtime/handler-orchestrator';
import { internalProviders, TaskQueueConfigurableModule } from './task-queue.module-definition';
import { TaskQueue } from './task-queue.service';
import { DatabusDrainModule } from '@databus/common/internal';

/**
 * Task queues and fanout publish/subscribe on RabbitMQ (`amqp://`, `amqps://`) or in memory (`memory://`).
 * `TaskQueueModule.forRoot(options)` / `forRootAsync({ imports, inject, useFactory })`; extras `name` (several
 * connections, `@InjectTaskQueue(name)`) and `isGlobal`. Every instance has its own connection, handlers
 * and registry: no static state. Exports `TaskQueue`, `TaskQueueHandlerRegistry` and
 * `TaskQueueHealthIndicator` (named connections: under `getTaskQueueToken(name)` etc.).
 * @publicApi
 */
@Module({
  imports: [DiscoveryModule, DatabusDrainModule],
  providers: [
    ...internalProviders,
    TaskQueue,
    QueueMetadataAccessor,
    QueueParamsFactory,
    QueueHandlerExplorer,
    HandlerOrchestrator,
    TaskQueueHandlerRegistry,
    TaskQueueHealthIndicator,
  ],
})
export class TaskQueueModule extends TaskQueueConfigurableModule {}
