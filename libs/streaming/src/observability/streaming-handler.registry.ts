import { Inject, Injectable } from '@nestjs/common';
import {
  DESCRIBE_MESSAGING,
  MessagingCatalog,
  MessagingCatalogSource,
  messagingCatalog,
} from '@databus/common/internal';
import type { StreamingConnection } from '../connection/streaming-connection';
import { DatasetHandlerOrchestrator } from '../discovery/dataset-handler.orchestrator';
import { STREAMING_CONNECTION } from '../streaming.constants';

/** A subscribed `@OnDatasetMessage` handler as the registry shows it. @publicApi */
export interface HandlerInfo {
  /** `Class.method` */
  id: string;
  dataset: string;
  group?: string;
  state: 'idle' | 'running' | 'paused' | 'stopping' | 'stopped' | 'failed';
  handled: number;
  error?: string;
}

/**
 * Runtime control of this connection's dataset handlers: list them, pause and resume fetching (in-flight
 * messages finish; nothing is lost), stop (drain and release the subscription) and start again.
 * @publicApi
 */
@Injectable()
export class StreamingHandlerRegistry implements MessagingCatalogSource {
  constructor(
    private readonly orchestrator: DatasetHandlerOrchestrator,
    @Inject(STREAMING_CONNECTION) private readonly connection: StreamingConnection,
  ) {}

  list(): HandlerInfo[] {
    return this.orchestrator.handlers.map((h) => ({
      id: h.id,
      dataset: h.dataset,
      group: h.group,
      state: h.runner.state,
      handled: h.runner.handledCount,
      error: h.runner.error?.message,
    }));
  }

  /** Stops fetching; messages already delivered finish. (A promise, like the task-queue registry's.) */
  async pause(id: string): Promise<void> {
    this.orchestrator.find(id).runner.pause();
  }

  /** Fetches again from where the handler stopped. */
  async resume(id: string): Promise<void> {
    this.orchestrator.find(id).runner.resume();
  }

  /** Stops fetching, waits for in-flight messages (up to `shutdownTimeoutMs`), commits and unsubscribes. */
  stop(id: string): Promise<void> {
    return this.orchestrator.stop(id);
  }

  /** Subscribes a stopped (or failed) handler again; it resumes from its group's committed position. */
  start(id: string): Promise<void> {
    return this.orchestrator.restart(id);
  }

  /**
   * What this connection consumes, for documentation generators (`@databus/asyncapi`): the broker without
   * credentials, and each subscribed handler with its dataset, group and `@Payload()` class.
   */
  [DESCRIBE_MESSAGING](): MessagingCatalog {
    const methods = this.orchestrator.handlers.map((h) => ({
      instance: h.handler.instance,
      methodKey: h.handler.methodKey,
      id: h.id,
      kind: 'dataset' as const,
      address: h.dataset,
      group: h.group,
    }));
    return messagingCatalog(
      'streaming',
      this.connection.name ?? 'default',
      this.connection.options.url,
      methods,
    );
  }
}
