import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { ExternalContextCreator, ModuleRef } from '@nestjs/core';
import { ConfigurationError } from '@databus/common';
import {
  createHandlerInvoker,
  DatabusDrain,
  idempotentInvoker,
  requireIdempotencyStore,
} from '@databus/common/internal';
import { DatabusHeaders } from '../message/headers';
import type { DatasetMessage } from '../message/dataset-message';
import { StreamingConnection } from '../connection/streaming-connection';
import { assertDatasetPatternsSupported, assertOffsetSupported } from '../transport/transport-capabilities';
import { resolveConsumerOptions, ResolvedConsumerOptions } from '../options/resolve-consumer-options';
import { ConsumerRunner } from '../runtime/consumer-runner';
import { createConsumerRunner } from '../connection/consumer-factory';
import {
  DATABUS_CONTEXT_TYPE,
  DEFAULT_HANDLER_MAX_WAIT_MS,
  STREAMING_CONNECTION,
  STREAMING_CONNECTION_NAME,
} from '../streaming.constants';
import { DatasetHandlerExplorer, DiscoveredHandler } from './dataset-handler.explorer';
import { DatasetParamsFactory } from './dataset-params.factory';

/** A handler that is subscribed, for the registry and health. */
export interface RunningHandler {
  /** `Class.method` */
  id: string;
  dataset: string;
  group?: string;
  runner: ConsumerRunner;
  /** What `restart` needs to subscribe it again. */
  handler: DiscoveredHandler;
  resolved: ResolvedConsumerOptions;
}

/**
 * Subscribes every `@OnDatasetMessage` handler of its connection on application bootstrap (after
 * validating all of them, so one bad handler fails startup before anything consumes), and drains them
 * when the application closes, before any user provider's `onModuleDestroy` (through {@link DatabusDrain}):
 * fetching stops, in-flight handlers finish within `shutdownTimeoutMs`, positions are committed. Handlers
 * that cannot run (a transport without the feature they ask for) fail the bootstrap.
 */
@Injectable()
export class DatasetHandlerOrchestrator implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly running: RunningHandler[] = [];
  private readonly paramsFactory = new DatasetParamsFactory();
  private draining?: Promise<void>;

  constructor(
    @Inject(STREAMING_CONNECTION) private readonly connection: StreamingConnection,
    @Inject(STREAMING_CONNECTION_NAME) private readonly connectionName: string | null,
    private readonly explorer: DatasetHandlerExplorer,
    private readonly contextCreator: ExternalContextCreator,
    shutdown: DatabusDrain,
    private readonly moduleRef: ModuleRef,
  ) {
    shutdown.register(() => this.drain());
  }

  /** The subscribed handlers. */
  get handlers(): readonly RunningHandler[] {
    return this.running;
  }

  /** The handler `Class.method`; throws a `ConfigurationError` listing the known ids otherwise. */
  find(id: string): RunningHandler {
    const found = this.running.find((h) => h.id === id);
    if (!found)
      throw new ConfigurationError(
        'handler id',
        `one of ${this.running.map((h) => `"${h.id}"`).join(', ') || '(none)'}`,
        { received: JSON.stringify(id) },
      );
    return found;
  }

  /** Drains and unsubscribes one handler. */
  async stop(id: string): Promise<void> {
    await this.find(id).runner.stop(this.connection.options.shutdownTimeoutMs);
  }

  /** Subscribes a stopped or failed handler again. */
  async restart(id: string): Promise<void> {
    const entry = this.find(id);
    if (entry.runner.state !== 'stopped' && entry.runner.state !== 'failed') return;
    await entry.runner.stop(0);
    this.running.splice(this.running.indexOf(entry), 1);
    await this.start(entry.handler, entry.resolved);
  }

  async onApplicationBootstrap(): Promise<void> {
    const options = this.connection.options;
    let discovered: DiscoveredHandler[];
    try {
      discovered = this.explorer.explore(this.connectionName ?? undefined);
    } catch (error) {
      // A bad declaration (a request-scoped handler, an empty dataset list): nothing is subscribed yet.
      await this.connection.close().catch(() => undefined);
      throw error;
    }
    if (!options.handlers) {
      if (discovered.length)
        this.connection.logger.log(
          `Handlers are off (handlers: false): ${discovered.length} @OnDatasetMessage method(s) not subscribed`,
        );
      return;
    }
    try {
      const planned = discovered.map((handler) => ({ handler, resolved: this.resolve(handler) }));
      for (const { handler, resolved } of planned) await this.start(handler, resolved);
    } catch (error) {
      // Nest runs no shutdown hook when bootstrap fails: close what is open, or its sockets and timers would
      // keep the failed process alive.
      await Promise.allSettled(this.running.map((h) => h.runner.stop(0)));
      await this.connection.close().catch(() => undefined);
      throw error;
    }
    if (this.running.length)
      this.connection.logger.log(`Subscribed ${this.running.length} dataset handler(s)`);
  }

  /** Runs after the drain (Nest's order); drains only if the drain module's hook did not run. */
  beforeApplicationShutdown(): Promise<void> {
    return this.drain();
  }

  /** Stops every handler once: fetching stops, in-flight ones finish within `shutdownTimeoutMs`, positions commit. */
  private drain(): Promise<void> {
    const timeout = this.connection.options.shutdownTimeoutMs;
    this.draining ??= Promise.allSettled(this.running.map((h) => h.runner.stop(timeout))).then(
      () => undefined,
    );
    return this.draining;
  }

  private resolve(handler: DiscoveredHandler): ResolvedConsumerOptions {
    const { meta, className, methodKey, dataset, pattern } = handler;
    const where = `${describeHandlerDataset(handler)} on ${className}.${methodKey}`;
    const { connection: _ignored, idempotent, ...own } = meta.options;
    if (idempotent !== undefined && typeof idempotent !== 'boolean')
      throw new ConfigurationError(`${where}.idempotent`, 'a boolean');
    if (idempotent) requireIdempotencyStore(this.moduleRef, `${where}.idempotent`);
    const options = this.connection.options;
    const defaultGroup = [options.group, `${className}.${methodKey}`].filter(Boolean).join('.');
    const resolved = resolveConsumerOptions(
      dataset,
      own,
      options.consumerDefaults,
      { group: defaultGroup, maxWaitMs: DEFAULT_HANDLER_MAX_WAIT_MS, pattern },
      where,
    );
    const transport = this.connection.transport;
    if (pattern) assertDatasetPatternsSupported(transport.name, transport.capabilities, where);
    assertOffsetSupported(transport.name, transport.capabilities, resolved.offset, where);
    return resolved;
  }

  private async start(handler: DiscoveredHandler, resolved: ResolvedConsumerOptions): Promise<void> {
    const { instance, methodKey, className, meta, dataset, id } = handler;
    const direct = createHandlerInvoker(this.contextCreator, instance, methodKey, {
      metadataKey: ROUTE_ARGS_METADATA,
      paramsFactory: this.paramsFactory,
      contextType: DATABUS_CONTEXT_TYPE,
      moduleKey: handler.controllerModuleKey,
    });
    // `idempotent: true`: the application's idempotency store runs the handler once per message id.
    const invoke = meta.options.idempotent
      ? idempotentInvoker(
          requireIdempotencyStore(this.moduleRef, `@OnDatasetMessage('${dataset}') on ${id}.idempotent`),
          id,
          (_payload: unknown, message: DatasetMessage) => message.headers[DatabusHeaders.MESSAGE_ID],
          direct,
        )
      : direct;
    const options = this.connection.options;
    const spec = {
      dataset,
      group: resolved.group,
      start: resolved.offset,
      prefetch: resolved.prefetch,
      groupExpiryMs: options.groupExpiryMs,
      amqp: resolved.amqp,
      noAck: resolved.delivery === 'at-most-once' || undefined,
    };
    const where = `${describeHandlerDataset(handler)} on ${className}.${methodKey}`;
    const source = handler.pattern
      ? await this.connection.openPatternSource(spec, handler.pattern, where)
      : await this.connection.openSource(spec, where);
    const runner = createConsumerRunner(this.connection, source, {
      dataset,
      options: resolved,
      handler: id,
      invoke: (payload, message) => invoke(payload, message),
    });
    this.running.push({
      id,
      dataset,
      group: resolved.group,
      runner,
      handler,
      resolved,
    });
    runner.start();
  }
}

/** `@OnDatasetMessage('ds')` or `@OnDatasetMessage({ pattern: 'a.*' })`, for errors and logs. */
function describeHandlerDataset(handler: DiscoveredHandler): string {
  return handler.pattern
    ? `@OnDatasetMessage({ pattern: '${handler.pattern.text}' })`
    : `@OnDatasetMessage('${handler.dataset}')`;
}
