import { Reflector } from '@nestjs/core';
import type { AmqpDeclareOptions, DeliveryMode } from '@databus/common';
import type { TaskRetryOptions } from '../options/task-queue-options.interface';
import type { OnFailure } from '../runtime/failure-policy';

/**
 * Options shared by `@TaskHandler` and `@EventSubscriber`.
 * @publicApi
 */
export interface QueueHandlerOptions {
  /** Handlers of this method running at once. Must be <= prefetch. @default 1 */
  concurrency?: number;
  /** Unsettled messages buffered for this handler; defaults to the module's `prefetch`. */
  prefetch?: number;
  /** Retry policy (attempts and backoff) before dead-lettering; `false` = one attempt. @default module `retry` */
  retry?: TaskRetryOptions | false;
  /** Dead-letter queue: `true` = `<queue>.dlq`, a string = that queue, `false` = drop with an error log. @default true */
  deadLetter?: string | boolean;
  /** `'ack'`: a failed task is acknowledged and never comes back (no retry, no dead-letter). @default 'retry' */
  onFailure?: OnFailure;
  /** The named connection (`TaskQueueModule.forRoot({ name })`) that runs this handler. @default 'default' */
  connection?: string;
  /**
   * Run the handler once per message id (the AMQP message id, which `TaskQueue.enqueue` and the outbox always
   * assign): the application's idempotency store (`OutboxModule` of `@databus/outbox`) records it, in the
   * handler's own database transaction with its PostgreSQL store, and a redelivery is acknowledged without
   * running the handler again. @default false
   */
  idempotent?: boolean;
  /**
   * `'at-least-once'` (default): manual ack after the handler resolves, retries, dead letters.
   * `'at-most-once'`: the broker forgets each message as it sends it (AMQP `noAck`, pika's `auto_ack=True`):
   * a message is **lost** when its handler fails, when the process crashes, and when shutdown or `pause()`
   * finds it not yet started; the prefetch does not bound what the broker pushes. Retries and dead letters do
   * not apply: combining it with `retry`, `deadLetter` or `onFailure` is a `ConfigurationError`.
   * @default 'at-least-once'
   */
  delivery?: DeliveryMode;
}

/** Options of `@TaskHandler`. @publicApi */
export interface TaskHandlerOptions extends QueueHandlerOptions {
  /**
   * How the work queue is declared (RabbitMQ): match another program's declaration of the same queue, e.g.
   * `{ durable: false }` for pika's `queue_declare(queue='stats')`. Producers pass the same to `enqueue`.
   * @default { durable: true }
   */
  queueOptions?: AmqpDeclareOptions;
}

/** Options of `@EventSubscriber`. @publicApi */
export interface EventSubscriberOptions extends QueueHandlerOptions {
  /**
   * A durable queue bound to the exchange, shared by every instance (competing: each event once per
   * queue). Absent: an exclusive, auto-named, auto-delete queue, so each listener gets every event.
   */
  queue?: string;
  /** How `queue` is declared (only with `queue`); as `@TaskHandler`'s `queueOptions`. @default { durable: true } */
  queueOptions?: AmqpDeclareOptions;
  /**
   * How the fanout exchange is declared (RabbitMQ), e.g. `{ durable: false }` for pika's
   * `exchange_declare(exchange='logs', exchange_type='fanout')`. Publishers pass the same to `publish`.
   * @default { durable: true }
   */
  exchangeOptions?: AmqpDeclareOptions;
}

/** What the decorators record on a method. */
export interface QueueHandlerMetadata {
  kind: 'task' | 'event';
  /** The work queue (tasks) or the optional named queue (events). */
  queue?: string;
  /** The fanout exchange (events). */
  exchange?: string;
  options: EventSubscriberOptions;
}

/** Internal: the reflectable decorator behind `@TaskHandler` and `@EventSubscriber`; its key is unique. */
export const QueueHandler = Reflector.createDecorator<QueueHandlerMetadata>();

/**
 * Makes the method the worker of `queue`: it is called with the decoded payload (and the `TaskMessage`),
 * through Nest's pipes, guards, interceptors and filters. Resolving acks the task, throwing retries it with
 * backoff and then dead-letters it; a return value is the reply when the task came from `request()`.
 * Found in providers and controllers alike.
 * @publicApi
 */
export const TaskHandler = (queue: string, options: TaskHandlerOptions = {}): MethodDecorator =>
  QueueHandler({ kind: 'task', queue, options });

/**
 * Subscribes the method to the fanout `exchange` (notifications, logs). Without `options.queue` every
 * listener gets every event; with it, instances share a durable queue.
 * @publicApi
 */
export const EventSubscriber = (exchange: string, options: EventSubscriberOptions = {}): MethodDecorator =>
  QueueHandler({ kind: 'event', exchange, queue: options.queue, options });
