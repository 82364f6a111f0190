import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AmqpDeclareOptions, assertNonEmptyString, ConfigurationError } from '@databus/common';
import { isQuorumDeclaration, resolveAmqpDeclaration } from '@databus/common/amqp';
import type {
  BackendStatus,
  ExchangeDeclaration,
  TaskHeaders,
  OutgoingMessage,
  QueueBackend,
  QueueDeclaration,
} from './backends/queue-backend.interface';
import type { QueueTelemetry } from './observability/queue-telemetry';
import type { TaskQueueEventListener } from './observability/task-queue-events';
import { ResolvedTaskQueueOptions, workQueueDeclaration } from './options/resolve-options';
import { PRIORITY_WITHOUT_MAX } from './queue.messages';
import { RpcClient } from './runtime/rpc-client';
import {
  RESOLVED_TASK_QUEUE_OPTIONS,
  TASK_QUEUE_BACKEND,
  TASK_QUEUE_TELEMETRY,
} from './task-queue.constants';
import { encodeBody } from './wire/wire-format';

/** The options of a call given none (shared: never mutated). */
const NO_OPTIONS: EnqueueOptions = Object.freeze({});

/** Options of `TaskQueue.enqueue`. @publicApi */
export interface EnqueueOptions {
  /** 0..`maxPriority` (module option); higher runs first. */
  priority?: number;
  /** The task becomes visible to workers after this many milliseconds (delay queue). */
  delayMs?: number;
  /** Correlation id carried to the worker (AMQP `correlation-id`). */
  correlationId?: string;
  /** Application headers (AMQP field table). */
  headers?: TaskHeaders;
  /** Message id; a random UUID by default. */
  messageId?: string;
  /** Content type of a `Buffer` payload; objects are always `application/json`. */
  contentType?: string;
  /**
   * How the queue is declared if missing (RabbitMQ); the same as its `@TaskHandler`'s `queueOptions`, e.g.
   * `{ durable: false }` for a queue declared by pika's `queue_declare(queue='stats')`. @default { durable: true }
   */
  queueOptions?: AmqpDeclareOptions;
}

/** Options of `TaskQueue.publish`. @publicApi */
export interface PublishOptions extends Pick<
  EnqueueOptions,
  'correlationId' | 'headers' | 'messageId' | 'contentType'
> {
  /**
   * How the fanout exchange is declared if missing (RabbitMQ); the same as its subscribers' `exchangeOptions`,
   * e.g. `{ durable: false }` for pika's `exchange_declare(exchange='logs', exchange_type='fanout')`.
   * @default { durable: true }
   */
  exchangeOptions?: AmqpDeclareOptions;
}

/** Options of `TaskQueue.request`. @publicApi */
export interface TaskRequestOptions extends Pick<
  EnqueueOptions,
  'priority' | 'headers' | 'correlationId' | 'contentType' | 'queueOptions'
> {
  /** How long to wait for the reply. @default module `requestTimeoutMs` */
  timeoutMs?: number;
}

/**
 * Produces work: `enqueue` a task for one worker, `publish` an event to every subscriber of a fanout
 * exchange, or `request` a reply from a worker. Messages are persistent and every call resolves only once
 * the broker confirmed it; during an outage calls wait up to `publishTimeoutMs`, then fail with
 * `TemporaryError`. Each call runs in a `publish <destination>` span (`send <queue>` for `request`) whose
 * W3C trace context travels in the message headers, and counts in `databus_messages_produced_total`.
 * @publicApi
 */
@Injectable()
export class TaskQueue {
  /** The default declaration of each queue, per call (`enqueue`, `request`: errors name the call). */
  private readonly declarations = new Map<string, Map<string, QueueDeclaration>>();
  private readonly rpc: RpcClient;

  constructor(
    @Inject(TASK_QUEUE_BACKEND) private readonly backend: QueueBackend,
    @Inject(RESOLVED_TASK_QUEUE_OPTIONS) private readonly options: ResolvedTaskQueueOptions,
    @Inject(TASK_QUEUE_TELEMETRY) private readonly telemetry: QueueTelemetry,
  ) {
    this.rpc = new RpcClient(backend);
  }

  /** Sends `payload` to the durable queue `queue` (declared if missing); resolves with the message id. */
  enqueue(queue: string, payload: unknown, options: EnqueueOptions = NO_OPTIONS): Promise<string> {
    // Not an async function: the caller waits on the confirm publisher's promise plus one step (a bad
    // argument still rejects rather than throws).
    let message: OutgoingMessage;
    let declaration: QueueDeclaration;
    try {
      message = this.message(payload, options);
      declaration = this.declaration(queue, options.queueOptions, 'enqueue');
    } catch (error) {
      return Promise.reject(error);
    }
    const id = message.properties.messageId as string;
    const delayMs = options.delayMs;
    const send =
      delayMs !== undefined && delayMs > 0
        ? async () => {
            await this.backend.assertQueue(declaration);
            const quorum = declaration.declare !== undefined && isQuorumDeclaration(declaration.declare);
            await this.backend.sendDelayed(queue, message, delayMs, quorum);
          }
        : () => this.backend.send(queue, message, declaration);
    return this.telemetry.produce(queue, message, 'publish', send).then(() => id);
  }

  /** Publishes `event` to the fanout exchange `exchange` (declared if missing); resolves with the message id. */
  async publish(exchange: string, event: unknown, options: PublishOptions = {}): Promise<string> {
    assertNonEmptyString(exchange, 'publish(exchange)');
    const declaration = this.exchangeDeclaration(exchange, options.exchangeOptions);
    const message = this.message(event, options);
    await this.telemetry.produce(exchange, message, 'publish', () =>
      this.backend.publish(exchange, message, declaration),
    );
    return message.properties.messageId as string;
  }

  /**
   * Sends `payload` to `queue` and resolves with the handler's return value. Rejects with
   * `RequestTimeoutError` when no reply comes within `timeoutMs`, and with `TaskFailedError` when the
   * handler failed for good.
   */
  async request<T = unknown>(queue: string, payload: unknown, options: TaskRequestOptions = {}): Promise<T> {
    const message = this.message(payload, {
      ...options,
      correlationId: options.correlationId ?? randomUUID(),
    });
    const timeoutMs = options.timeoutMs ?? this.options.requestTimeoutMs;
    const declaration = this.declaration(queue, options.queueOptions, 'request');
    let reply: unknown;
    // The span covers the round trip; the message counts as produced once the broker confirmed it.
    await this.telemetry.produce(
      queue,
      message,
      'send',
      async () => {
        reply = await this.rpc.request(queue, message, declaration, timeoutMs, () =>
          this.telemetry.countProduced(queue),
        );
      },
      false,
    );
    return reply as T;
  }

  /** True while the backend has a live connection. */
  isConnected(): boolean {
    return this.backend.isConnected();
  }

  /** Subscribes to connection status changes (connected, disconnected, reconnecting, closed). */
  onStatus(listener: (status: BackendStatus) => void): () => void {
    return this.backend.onStatus(listener);
  }

  /**
   * Observes this connection: connected, disconnected, reconnecting, closed, consumer-attached,
   * handler-failed, dead-lettered, consumer-stopped. One event per state change, never one per message
   * (except failures). Returns the function that stops observing.
   */
  onEvent(listener: TaskQueueEventListener): () => void {
    return this.telemetry.events.on(listener);
  }

  /** @internal Called on shutdown: pending requests are rejected. */
  closeRequests(): Promise<void> {
    return this.rpc.close();
  }

  private message(payload: unknown, options: EnqueueOptions): OutgoingMessage {
    const { body, contentType } = encodeBody(payload, options.contentType);
    if (options.priority !== undefined) this.checkPriority(options.priority);
    return {
      body,
      properties: {
        contentType,
        messageId: options.messageId ?? randomUUID(),
        correlationId: options.correlationId,
        headers: options.headers,
        priority: options.priority,
        timestamp: Math.floor(Date.now() / 1000),
      },
    };
  }

  /** The declaration of `queue`: cached for the default, validated per call when `queueOptions` is given. */
  private declaration(
    queue: string,
    queueOptions: AmqpDeclareOptions | undefined,
    call: string,
  ): QueueDeclaration {
    if (queueOptions !== undefined) {
      assertNonEmptyString(queue, 'queue');
      const option = `${call}(${JSON.stringify(queue)}).queueOptions`;
      return workQueueDeclaration(
        queue,
        this.options.maxPriority,
        resolveAmqpDeclaration(queueOptions, option, 'queue'),
        option,
      );
    }
    let known = this.declarations.get(call);
    if (!known) this.declarations.set(call, (known = new Map()));
    let declaration = known.get(queue);
    if (!declaration) {
      assertNonEmptyString(queue, 'queue');
      const option = `${call}(${JSON.stringify(queue)}).queueOptions`;
      declaration = { name: queue, maxPriority: this.options.maxPriority, option };
      known.set(queue, declaration);
    }
    return declaration;
  }

  private exchangeDeclaration(
    exchange: string,
    exchangeOptions: AmqpDeclareOptions | undefined,
  ): ExchangeDeclaration {
    const option = `publish(${JSON.stringify(exchange)}).exchangeOptions`;
    return exchangeOptions === undefined
      ? { name: exchange, option }
      : { name: exchange, declare: resolveAmqpDeclaration(exchangeOptions, option, 'exchange'), option };
  }

  private checkPriority(priority: number): void {
    if (!Number.isInteger(priority) || priority < 0 || priority > this.options.maxPriority)
      throw new ConfigurationError('TaskQueueModule.maxPriority', PRIORITY_WITHOUT_MAX(priority), {
        received: String(this.options.maxPriority),
      });
  }
}
