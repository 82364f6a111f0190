export { TaskHandler, EventSubscriber } from './task-handler.decorator';
export type {
  TaskHandlerOptions,
  EventSubscriberOptions,
  QueueHandlerOptions,
} from './task-handler.decorator';
export { TaskPayload, TaskContext } from './task-params.decorator';
export { InjectTaskQueue, getTaskQueueToken } from './inject-task-queue.decorator';
