import { DatabusMetrics, noopMetrics } from '@databus/common';
import type { EventHub } from '@databus/common/internal';
import type { DatasetMessage } from '../message/dataset-message';
import { deadLetterDataset, DeadLetterTarget } from '../options/resolve-consumer-options';
import { ProcessorObserver } from '../runtime/message-processor';
import type { StreamingEvent } from './streaming-events';

/** Where a consumer's observations go. */
export interface ConsumerObservation {
  connection: string;
  dataset: string;
  group?: string;
  events: EventHub<StreamingEvent>;
  metrics: DatabusMetrics;
}

/**
 * Turns a consumer's processing into events and metrics (no per-message events except failures; no per-message
 * work at all when the metrics are `noopMetrics`).
 */
export function consumerObserver(
  { connection, dataset, group, events, metrics }: ConsumerObservation,
  deadLetter: DeadLetterTarget,
): ProcessorObserver {
  const labels = { lib: 'streaming', dataset, group: group ?? '' };
  // Label objects are built once: this runs for every message.
  const outcomes = {
    done: { ...labels, outcome: 'ok' },
    'dead-lettered': { ...labels, outcome: 'dead_lettered' },
    abandoned: { ...labels, outcome: 'abandoned' },
  };
  // Events name the message's own dataset (one of a pattern's); metrics keep the consumer's (bounded labels).
  const failed = (message: DatasetMessage, attempt: number, willRetry: boolean, error: unknown): void =>
    events.emit({
      type: 'handler-failed',
      connection,
      dataset: message.dataset,
      group,
      sequence: message.sequence,
      attempt,
      willRetry,
      error: asError(error),
    });
  const observer: ProcessorObserver = {
    onRetry(message, attempt, error) {
      metrics.increment('databus_handler_retries_total', labels);
      failed(message, attempt, true, error);
    },
    onDeadLetter(message, error, attempts) {
      metrics.increment('databus_messages_dead_lettered_total', labels);
      failed(message, attempts, false, error);
      events.emit({
        type: 'dead-lettered',
        connection,
        dataset: message.dataset,
        group,
        sequence: message.sequence,
        deadLetter: deadLetterDataset(deadLetter, message.dataset),
        attempts,
        error: asError(error),
      });
    },
    // Without metrics there is nothing to record per message: no clock reads, no call.
    onProcessed:
      metrics === noopMetrics
        ? undefined
        : (message, outcome, durationMs) => {
            if (message.redelivered) metrics.increment('databus_messages_redelivered_total', labels);
            metrics.increment('databus_messages_consumed_total', outcomes[outcome]);
            metrics.observe('databus_handler_duration_seconds', durationMs / 1000, labels);
          },
  };
  return observer;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
