import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { ConfigurationError } from '@databus/common';
import type { ResolvedTaskQueueOptions } from '../options/resolve-options';
import { DUPLICATE_HANDLER, REQUEST_SCOPED_HANDLER } from '../queue.messages';
import type { ResolvedHandler } from '../runtime/failure-policy';
import {
  DEFAULT_CONNECTION,
  RESOLVED_TASK_QUEUE_OPTIONS,
  TASK_QUEUE_CONNECTION_NAME,
} from '../task-queue.constants';
import { QueueMetadataAccessor } from './queue-metadata.accessor';
import { resolveHandler } from './resolve-handler';

/** A discovered handler, validated, ready to be started. */
export interface HandlerDefinition {
  instance: object;
  methodKey: string;
  handler: ResolvedHandler;
  /** For handlers in controllers: the key of the module that declares the controller. */
  controllerModuleKey?: string;
}

/**
 * Finds `@TaskHandler` / `@EventSubscriber` methods in every controller and provider instance at module
 * init, keeps those bound to this module's connection, and validates them (bad options abort startup before
 * any consumer exists). Starting them is the orchestrator's job.
 */
@Injectable()
export class QueueHandlerExplorer implements OnModuleInit {
  private definitions: HandlerDefinition[] = [];

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly accessor: QueueMetadataAccessor,
    @Inject(RESOLVED_TASK_QUEUE_OPTIONS) private readonly options: ResolvedTaskQueueOptions,
    @Inject(TASK_QUEUE_CONNECTION_NAME) private readonly connection: string,
  ) {}

  /** The handlers found for this connection. */
  get handlers(): readonly HandlerDefinition[] {
    return this.definitions;
  }

  onModuleInit(): void {
    const found: HandlerDefinition[] = [];
    const byQueue = new Map<string, string>();
    const seen = new Set<object>();
    const controllers = new Set(this.discovery.getControllers());
    for (const wrapper of [...controllers, ...this.discovery.getProviders()]) {
      const instance: unknown = wrapper.instance;
      if (!instance || typeof instance !== 'object' || seen.has(instance)) continue;
      seen.add(instance);
      const prototype = Object.getPrototypeOf(instance) as Record<string, unknown> | null;
      if (!prototype) continue;
      for (const methodKey of this.scanner.getAllMethodNames(prototype)) {
        const meta = this.accessor.getHandler(prototype[methodKey]);
        if (!meta || (meta.options?.connection ?? DEFAULT_CONNECTION) !== this.connection) continue;
        const where = `${instance.constructor.name}.${methodKey}`;
        if (!wrapper.isDependencyTreeStatic())
          throw new ConfigurationError(where, 'a singleton provider or controller', {
            received: REQUEST_SCOPED_HANDLER(instance.constructor.name, methodKey),
          });
        const handler = resolveHandler(meta, this.options, where);
        const queue = handler.source.queue?.name;
        if (queue) {
          const other = byQueue.get(queue);
          if (other)
            throw new ConfigurationError(`${where} queue "${queue}"`, DUPLICATE_HANDLER(queue, other, where));
          byQueue.set(queue, where);
        }
        const controllerModuleKey = controllers.has(wrapper) ? wrapper.host?.token : undefined;
        found.push({ instance, methodKey, handler, controllerModuleKey });
      }
    }
    this.definitions = found;
  }
}
