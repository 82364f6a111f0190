import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  LoggerService,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { ExternalContextCreator, ModuleRef } from '@nestjs/core';
import { ConfigurationError, TemporaryError } from '@databus/common';
import {
  createHandlerInvoker,
  DatabusDrain,
  idempotentInvoker,
  requireIdempotencyStore,
  tracingAvailable,
} from '@databus/common/internal';
import type { QueueBackend } from '../backends/queue-backend.interface';
import { QueueHandlerExplorer } from '../discovery/queue-handler.explorer';
import { QueueParamsFactory } from '../discovery/queue-params.factory';
import type { ResolvedTaskQueueOptions } from '../options/resolve-options';
import { handlerObserver } from '../observability/handler-observer';
import type { QueueTelemetry } from '../observability/queue-telemetry';
import { CLOSED, CONNECTED, DRAIN_TIMEOUT, UNKNOWN_HANDLER } from '../queue.messages';
import {
  QUEUE_CONTEXT_TYPE,
  RESOLVED_TASK_QUEUE_OPTIONS,
  TASK_QUEUE_BACKEND,
  TASK_QUEUE_LOGGER,
  TASK_QUEUE_TELEMETRY,
} from '../task-queue.constants';
import { TaskQueue } from '../task-queue.service';
import { HandlerInvoker, HandlerRunner } from './handler-runner';
import type { TaskMessage } from './task-message';

/**
 * The lifecycle of one connection and its handlers:
 * - module init: connect (startup fails on bad credentials or TLS, or after `connectTimeoutMs`);
 * - application bootstrap: wrap every discovered handler in Nest's enhancer chain and start consuming;
 * - first thing on close, before any user provider's `onModuleDestroy` (through {@link DatabusDrain}): stop
 *   consuming, release prefetched messages, let running handlers finish (bounded by `shutdownTimeoutMs`);
 * - shutdown: reject pending requests and close the connection.
 * Between bootstrap and shutdown the registry pauses, resumes, stops and starts single handlers.
 */
@Injectable()
export class HandlerOrchestrator
  implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  private readonly runners: HandlerRunner[] = [];
  /** The connection's close, once (a failed bootstrap closes it before Nest's shutdown hooks run). */
  private closed?: Promise<void>;

  private closing = false;
  private draining?: Promise<void>;

  constructor(
    @Inject(TASK_QUEUE_BACKEND) private readonly backend: QueueBackend,
    @Inject(RESOLVED_TASK_QUEUE_OPTIONS) private readonly options: ResolvedTaskQueueOptions,
    @Inject(TASK_QUEUE_LOGGER) private readonly logger: LoggerService,
    private readonly explorer: QueueHandlerExplorer,
    private readonly contextCreator: ExternalContextCreator,
    private readonly paramsFactory: QueueParamsFactory,
    private readonly taskQueue: TaskQueue,
    @Inject(TASK_QUEUE_TELEMETRY) private readonly telemetry: QueueTelemetry,
    shutdown: DatabusDrain,
    private readonly moduleRef: ModuleRef,
  ) {
    shutdown.register(() => this.drain());
    // After a reconnect the backend re-attached every active consumer before announcing `connected`.
    telemetry.events.on((event) => {
      if (event.type !== 'connected' || event.generation < 2) return;
      for (const runner of this.runners)
        if (runner.consumerHealth?.attached)
          telemetry.events.emit({
            type: 'consumer-attached',
            connection: telemetry.connection,
            handler: runner.handler.name,
            queue: runner.handler.label,
            reattached: true,
          });
    });
  }

  /** The runners of this connection's handlers (empty with `handlers: false`). */
  get handlers(): readonly HandlerRunner[] {
    return this.runners;
  }

  /** The runner of handler `id` (`Class.method`); a `ConfigurationError` lists the known ids. */
  find(id: string): HandlerRunner {
    if (this.closing) throw new TemporaryError(CLOSED);
    const runner = this.runners.find((r) => r.handler.name === id);
    if (!runner)
      throw new ConfigurationError(
        'TaskQueueHandlerRegistry: handler id',
        UNKNOWN_HANDLER(this.runners.map((r) => r.handler.name)),
        { received: JSON.stringify(id) },
      );
    return runner;
  }

  async onModuleInit(): Promise<void> {
    // Load the optional tracing API now, not on the first enqueue or task (its load is a ~16 ms stall).
    if (this.options.tracing) tracingAvailable();
    await this.backend.connect();
    this.logger.log(CONNECTED(this.options.safeUrl, this.options.backend));
  }

  async onApplicationBootstrap(): Promise<void> {
    try {
      await this.startHandlers();
    } catch (error) {
      // A failed bootstrap must not leave the connection open (it would keep the process alive, and Nest's
      // close() stops at the first hook that rejects): stop what started, close the connection, rethrow.
      await this.drain();
      await this.onApplicationShutdown().catch(() => undefined);
      throw error;
    }
  }

  private async startHandlers(): Promise<void> {
    if (!this.options.handlers) return;
    // `idempotent: true` needs the application's idempotency store: checked for all before any consumes.
    const store = (name: string) => requireIdempotencyStore(this.moduleRef, `${name} idempotent`);
    for (const { handler } of this.explorer.handlers) if (handler.idempotent) store(handler.name);
    for (const { instance, methodKey, handler, controllerModuleKey } of this.explorer.handlers) {
      const direct = this.createInvoker(instance, methodKey, controllerModuleKey);
      const invoker: HandlerInvoker = handler.idempotent
        ? idempotentInvoker(
            store(handler.name),
            handler.name,
            (_p, message: TaskMessage) => message.messageId,
            direct,
          )
        : direct;
      const observer = handlerObserver(this.telemetry, handler);
      const runner = new HandlerRunner(this.backend, handler, invoker, this.logger, observer);
      this.runners.push(runner);
      await runner.start();
    }
  }

  /** Runs after the drain (Nest's order); drains only if the drain module's hook did not run. */
  beforeApplicationShutdown(): Promise<void> {
    return this.drain();
  }

  /** Stops every handler once, letting running ones finish within `shutdownTimeoutMs`. */
  private drain(): Promise<void> {
    this.draining ??= (async () => {
      this.closing = true;
      const timeoutMs = this.options.shutdownTimeoutMs;
      // A runner that failed to start rejects its stop too; the others still stop.
      const left = await Promise.allSettled(this.runners.map((runner) => runner.stop(timeoutMs, 'shutdown')));
      const pending = left.reduce((sum, r) => sum + (r.status === 'fulfilled' ? r.value : 0), 0);
      if (pending > 0) this.logger.warn(DRAIN_TIMEOUT(pending, timeoutMs));
    })();
    return this.draining;
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed ??= (async () => {
      await this.taskQueue.closeRequests();
      await this.backend.close();
    })();
    return this.closed;
  }

  /** Runs the method through guards, interceptors, pipes and filters under the `databus-queue` context. */
  private createInvoker(instance: object, methodKey: string, controllerModuleKey?: string): HandlerInvoker {
    return createHandlerInvoker(this.contextCreator, instance, methodKey, {
      metadataKey: ROUTE_ARGS_METADATA,
      paramsFactory: this.paramsFactory,
      contextType: QUEUE_CONTEXT_TYPE,
      moduleKey: controllerModuleKey,
    }) as HandlerInvoker;
  }
}
