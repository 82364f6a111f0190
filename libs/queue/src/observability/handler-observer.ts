import { MetricLabels } from '@databus/common';
import { tracingActive, withMessagingSpan } from '@databus/common/internal';
import type { Delivery } from '../backends/queue-backend.interface';
import type { ResolvedHandler } from '../runtime/failure-policy';
import type { DeadLetterReason } from '../wire/wire-format';
import type { QueueTelemetry } from './queue-telemetry';
import { traceCarrier } from './trace-carrier';

/**
 * How a delivery ended: `ok` (acked), `retried` (sent back through a delay queue), `dead_lettered`,
 * `dropped` (a failure acked on purpose: `onFailure: 'ack'`), `abandoned` (released to the broker, which
 * delivers it again).
 */
export type DeliveryOutcome = 'ok' | 'retried' | 'dead_lettered' | 'dropped' | 'abandoned';

/** Why a consumer stopped, as the `consumer-stopped` event says. */
export type StopCause = 'paused' | 'stopped' | 'failed' | 'shutdown';

/** What a handler's runtime reports: metrics, events and spans, in one place. */
export interface HandlerObserver {
  /** Whether `trace` records spans now (tracing on and a tracer provider registered); else skip it. */
  traced(): boolean;
  /** Runs `run` (one delivery) inside a `process` span continuing the producer's trace. */
  trace<T>(delivery: Delivery, run: () => Promise<T>, failed: (result: T) => unknown): Promise<T>;
  failed(delivery: Delivery, attempt: number, error: unknown, willRetry: boolean): void;
  deadLettered(
    delivery: Delivery,
    target: string | false,
    reason: DeadLetterReason,
    attempts: number,
    error: unknown,
  ): void;
  processed(delivery: Delivery, outcome: DeliveryOutcome, durationMs: number): void;
  attached(reattached: boolean): void;
  stopped(cause: StopCause, error?: Error): void;
  /** Handlers of this consumer running now (gauge `databus_in_flight_messages`). */
  inFlight(running: number): void;
}

/** Records nothing (unit tests of the runtime). */
export const noopHandlerObserver: HandlerObserver = {
  traced: () => false,
  trace: (_delivery, run) => run(),
  failed: () => undefined,
  deadLettered: () => undefined,
  processed: () => undefined,
  attached: () => undefined,
  stopped: () => undefined,
  inFlight: () => undefined,
};

/**
 * The observer of one handler. Metric labels: `lib: 'queue'`, `dataset`: the queue of a task handler or
 * the exchange of an event subscriber, `group`: a subscriber's shared queue (else empty).
 */
export function handlerObserver(telemetry: QueueTelemetry, handler: ResolvedHandler): HandlerObserver {
  const { events, metrics, connection } = telemetry;
  const exchange = handler.source.bindExchange;
  const labels = {
    lib: 'queue',
    dataset: exchange ?? handler.label,
    group: exchange ? (handler.source.queue?.name ?? '') : '',
  };
  // Built once: these run for every message.
  const outcomes: Record<Exclude<DeliveryOutcome, 'retried'>, MetricLabels> = {
    ok: { ...labels, outcome: 'ok' },
    dead_lettered: { ...labels, outcome: 'dead_lettered' },
    dropped: { ...labels, outcome: 'dropped' },
    abandoned: { ...labels, outcome: 'abandoned' },
  };
  const ref = { connection, handler: handler.name, queue: handler.label };
  return {
    traced: () => telemetry.tracing && tracingActive(),
    async trace<T>(delivery: Delivery, run: () => Promise<T>, failed: (result: T) => unknown): Promise<T> {
      if (!telemetry.tracing || !tracingActive()) return run();
      let done = false;
      let result: T | undefined;
      const info = {
        system: telemetry.system,
        destination: labels.dataset,
        operation: 'process' as const,
        group: labels.group || undefined,
        messageId: delivery.properties.messageId,
        attributes: {
          'messaging.message.body.size': delivery.body.length,
          'messaging.message.conversation_id': delivery.properties.correlationId,
          ...(exchange ? { 'messaging.rabbitmq.exchange': exchange } : {}),
        },
      };
      try {
        await withMessagingSpan(info, traceCarrier(delivery.properties.headers), async () => {
          result = await run();
          done = true;
          // A failed handler marks its span as failed; the delivery itself was settled already.
          const error = failed(result as T);
          if (error !== undefined) throw error;
        });
      } catch (error) {
        if (!done) throw error;
      }
      return result as T;
    },
    failed(delivery, attempt, error, willRetry) {
      events.emit({
        type: 'handler-failed',
        ...ref,
        messageId: delivery.properties.messageId,
        attempt,
        willRetry,
        error: asError(error),
      });
    },
    deadLettered(delivery, target, reason, attempts, error) {
      events.emit({
        type: 'dead-lettered',
        ...ref,
        messageId: delivery.properties.messageId,
        deadLetter: target,
        reason,
        attempts,
        error: asError(error),
      });
    },
    processed(delivery, outcome, durationMs) {
      if (delivery.redelivered) metrics.increment('databus_messages_redelivered_total', labels);
      metrics.observe('databus_handler_duration_seconds', durationMs / 1000, labels);
      if (outcome === 'retried') return metrics.increment('databus_handler_retries_total', labels);
      if (outcome === 'dead_lettered') metrics.increment('databus_messages_dead_lettered_total', labels);
      metrics.increment('databus_messages_consumed_total', outcomes[outcome]);
    },
    attached(reattached) {
      events.emit({ type: 'consumer-attached', ...ref, reattached });
    },
    stopped(cause, error) {
      events.emit({ type: 'consumer-stopped', ...ref, cause, error });
    },
    inFlight(running) {
      metrics.set('databus_in_flight_messages', running, labels);
    },
  };
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
