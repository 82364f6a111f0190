import { Inject, Injectable } from '@nestjs/common';
import {
  DESCRIBE_MESSAGING,
  MessagingCatalog,
  MessagingCatalogSource,
  messagingCatalog,
} from '@databus/common/internal';
import { QueueHandlerExplorer } from '../discovery/queue-handler.explorer';
import type { ResolvedTaskQueueOptions } from '../options/resolve-options';
import { HandlerOrchestrator } from '../runtime/handler-orchestrator';
import type { HandlerState } from '../runtime/handler-runner';
import {
  DEFAULT_CONNECTION,
  RESOLVED_TASK_QUEUE_OPTIONS,
  TASK_QUEUE_CONNECTION_NAME,
} from '../task-queue.constants';

/** A `@TaskHandler` / `@EventSubscriber` handler as the registry shows it. @publicApi */
export interface TaskQueueHandlerInfo {
  /** `Class.method`: the id the registry's methods take. */
  id: string;
  /** The queue it consumes (a task handler's queue, a subscriber's shared queue), or its exchange. */
  queue: string;
  /** The fanout exchange of an event subscriber. */
  exchange?: string;
  state: HandlerState;
  /** Handlers running now. */
  inFlight: number;
  /** Deliveries processed since the application started. */
  handled: number;
  /** Why its consumer failed (state `failed`). */
  error?: string;
}

/**
 * Runtime control of this connection's handlers. Nothing is lost by any of these calls:
 * - `pause(id)`: no new message starts (the consumer is cancelled with basic.cancel and prefetched messages
 *   go back to the queue; an unnamed `@EventSubscriber` keeps its exclusive queue and buffers there);
 *   running handlers finish and settle;
 * - `resume(id)`: consumes again;
 * - `stop(id)`: cancels the consumer, returns prefetched messages and waits for running handlers (up to
 *   `shutdownTimeoutMs`); an unnamed subscriber's exclusive queue is deleted, so it misses events meanwhile;
 * - `start(id)`: consumes again after `stop` or a failure; rejects (state `failed`) if it cannot.
 * Unknown ids fail with a `ConfigurationError` listing the known ones.
 * @publicApi
 */
@Injectable()
export class TaskQueueHandlerRegistry implements MessagingCatalogSource {
  constructor(
    private readonly orchestrator: HandlerOrchestrator,
    @Inject(RESOLVED_TASK_QUEUE_OPTIONS) private readonly options: ResolvedTaskQueueOptions,
    private readonly explorer: QueueHandlerExplorer,
    @Inject(TASK_QUEUE_CONNECTION_NAME) private readonly connection: string,
  ) {}

  /** Every handler of this connection (none with `handlers: false`). */
  list(): TaskQueueHandlerInfo[] {
    return this.orchestrator.handlers.map((runner) => ({
      id: runner.handler.name,
      queue: runner.handler.label,
      exchange: runner.handler.source.bindExchange,
      state: runner.state,
      inFlight: runner.inFlight,
      handled: runner.handled,
      error: runner.error?.message,
    }));
  }

  /** Stops starting new messages; resolves once the broker stopped delivering to this handler. */
  async pause(id: string): Promise<void> {
    return this.orchestrator.find(id).pause();
  }

  /** Delivers to a paused handler again. */
  async resume(id: string): Promise<void> {
    return this.orchestrator.find(id).resume();
  }

  /** Cancels the consumer and waits for running handlers (up to `shutdownTimeoutMs`). */
  async stop(id: string): Promise<void> {
    await this.orchestrator.find(id).stop(this.options.shutdownTimeoutMs);
  }

  /** Attaches a stopped (or failed) handler's consumer again. */
  async start(id: string): Promise<void> {
    return this.orchestrator.find(id).start();
  }

  /**
   * What this connection consumes, for documentation generators (`@databus/asyncapi`): the broker without
   * credentials, and each handler with its queue or exchange and `@Payload()` class (none with `handlers: false`).
   */
  [DESCRIBE_MESSAGING](): MessagingCatalog {
    const handlers = this.options.handlers ? this.explorer.handlers : [];
    const methods = handlers.map(({ instance, methodKey, handler }) => {
      const exchange = handler.source.bindExchange;
      return {
        instance,
        methodKey,
        id: handler.name,
        kind: exchange ? ('event' as const) : ('task' as const),
        address: exchange ?? handler.label,
        group: exchange ? handler.source.queue?.name : undefined,
      };
    });
    return messagingCatalog('queue', this.connection, this.options.url, methods);
  }
}

/**
 * The injection token of the `TaskQueueHandlerRegistry` of connection `name` (the class itself for the
 * default connection): `@Inject(getTaskQueueRegistryToken('audit'))`. @publicApi
 */
export function getTaskQueueRegistryToken(
  name: string = DEFAULT_CONNECTION,
): string | typeof TaskQueueHandlerRegistry {
  return name === DEFAULT_CONNECTION ? TaskQueueHandlerRegistry : `databus:queue:handler-registry:${name}`;
}
