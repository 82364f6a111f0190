/**
 * @databus/queue: task queues and fanout publish/subscribe for Nest services, on RabbitMQ or in memory,
 * safe by default (ack after success, delayed retry, dead-letter, re-attached consumers, graceful drain).
 */
export { TaskQueueModule } from './task-queue.module';
export {
  TASK_QUEUE_MODULE_OPTIONS,
  TASK_QUEUE_OPTIONS_TYPE,
  TASK_QUEUE_ASYNC_OPTIONS_TYPE,
} from './task-queue.module-definition';
export type {
  TaskQueueModuleOptions,
  TaskQueueModuleExtras,
  TaskRetryOptions,
} from './options/task-queue-options.interface';
export {
  TaskQueue,
  type EnqueueOptions,
  type PublishOptions,
  type TaskRequestOptions,
} from './task-queue.service';
export {
  TaskHandler,
  EventSubscriber,
  TaskPayload,
  TaskContext,
  InjectTaskQueue,
  getTaskQueueToken,
  type TaskHandlerOptions,
  type EventSubscriberOptions,
  type QueueHandlerOptions,
} from './decorators';
export { TaskMessage, type RetryLaterOptions } from './runtime/task-message';
export type { OnFailure } from './runtime/failure-policy';
export { TaskFailedError } from './errors/task-failed.error';
export { MemoryBroker } from './backends/memory/memory-broker';
export { QUEUE_CONTEXT_TYPE, DEFAULT_CONNECTION, type QueueContextType } from './task-queue.constants';
export { WireHeaders, type DeadLetterReason } from './wire/wire-format';
// What a handler reads off a message and what `TaskQueue.onStatus` reports; the backend SPI itself is internal.
export type {
  BackendStatus,
  TaskHeaders,
  MessageProperties,
  ConsumerHealth,
} from './backends/queue-backend.interface';
export {
  TemporaryError,
  PermanentError,
  ConfigurationError,
  AuthenticationError,
  PayloadDecodeError,
  RequestTimeoutError,
  type AmqpDeclareOptions,
  type DeliveryMode,
} from '@databus/common';
export type { TaskQueueEvent, TaskQueueEventListener } from './observability/task-queue-events';
export {
  TaskQueueHandlerRegistry,
  getTaskQueueRegistryToken,
  type TaskQueueHandlerInfo,
} from './observability/task-queue-handler.registry';
export {
  TaskQueueHealthIndicator,
  getTaskQueueHealthToken,
  type TaskQueueHealthResult,
} from './observability/task-queue-health.indicator';
export type { HandlerState } from './runtime/handler-runner';
