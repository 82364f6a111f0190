import { DatabusMetrics, MetricLabels } from '@databus/common';
import { EventHub, MessagingSpanInfo, tracingActive, withMessagingSpan } from '@databus/common/internal';
import type { BackendStatus, OutgoingMessage, QueueBackend } from '../backends/queue-backend.interface';
import type { TaskQueueEvent } from './task-queue-events';

/** Most destinations whose metric labels are kept (then they are built again). */
const MAX_LABEL_SETS = 1000;

/** The connection state as health checks see it: the backend's last status, or `connecting` before it. */
export type ConnectionState = BackendStatus | { type: 'connecting' };

/**
 * Observability of one module instance (connection): its event hub, metrics and tracing switch, and the
 * connection state. It follows the backend's status and turns it into events and the reconnect counter.
 */
export class QueueTelemetry {
  /** Where events go (`TaskQueue.onEvent`). */
  readonly events = new EventHub<TaskQueueEvent>();
  /** `messaging.system` of spans: `rabbitmq` or `memory`. */
  readonly system: string;
  private last: ConnectionState = { type: 'connecting' };
  /** The labels of `databus_messages_produced_total` per destination (one object each, not one per call). */
  private readonly producedLabels = new Map<string, MetricLabels>();

  constructor(
    backend: Pick<QueueBackend, 'kind' | 'onStatus'>,
    /** The connection name (`default` unless `name` is given). */
    readonly connection: string,
    readonly metrics: DatabusMetrics,
    readonly tracing: boolean,
  ) {
    this.system = backend.kind;
    backend.onStatus((status) => this.onStatus(status));
  }

  /** The last known connection state. */
  get state(): ConnectionState {
    return this.last;
  }

  /**
   * Publishes through `send` inside a producer span whose W3C context (`traceparent`, `tracestate`) is
   * written into the message's headers, then counts the message as produced (unless `count` is false: the
   * caller counts it itself with `countProduced`).
   */
  produce(
    destination: string,
    message: OutgoingMessage,
    operation: 'publish' | 'send',
    send: () => Promise<void>,
    count = true,
  ): Promise<void> {
    // No span, header or context work unless a tracer provider is registered; then no async frame either.
    if (!this.tracing || !tracingActive()) {
      let sent: Promise<void>;
      try {
        sent = send();
      } catch (error) {
        return Promise.reject(error);
      }
      return count ? sent.then(() => this.countProduced(destination)) : sent;
    }
    const carrier: Record<string, string> = {};
    return withMessagingSpan(this.spanInfo(destination, operation, message), carrier, async () => {
      message.properties.headers = { ...message.properties.headers, ...carrier };
      await send();
    }).then(() => {
      if (count) this.countProduced(destination);
    });
  }

  /** Counts one message produced to `destination`. */
  countProduced(destination: string): void {
    let labels = this.producedLabels.get(destination);
    if (!labels) {
      if (this.producedLabels.size >= MAX_LABEL_SETS) this.producedLabels.clear();
      labels = Object.freeze({ lib: 'queue', dataset: destination });
      this.producedLabels.set(destination, labels);
    }
    this.metrics.increment('databus_messages_produced_total', labels);
  }

  /** Span attributes of a publish. */
  spanInfo(destination: string, operation: 'publish' | 'send', message: OutgoingMessage): MessagingSpanInfo {
    return {
      system: this.system,
      destination,
      operation,
      messageId: message.properties.messageId,
      attributes: {
        'messaging.message.body.size': message.body.length,
        'messaging.message.conversation_id': message.properties.correlationId,
      },
    };
  }

  private onStatus(status: BackendStatus): void {
    this.last = status;
    const connection = this.connection;
    switch (status.type) {
      case 'connected':
        if (status.generation > 1)
          this.metrics.increment('databus_reconnects_total', { lib: 'queue', connection });
        return this.events.emit({ type: 'connected', connection, generation: status.generation });
      case 'disconnected':
        return this.events.emit({ type: 'disconnected', connection, error: status.error });
      case 'reconnecting':
        return this.events.emit({
          type: 'reconnecting',
          connection,
          attempt: status.attempt,
          delayMs: status.delayMs,
          error: status.error,
        });
      case 'closed':
        return this.events.emit({ type: 'closed', connection });
    }
  }
}
