import { DatabusMetrics, noopMetrics } from '@databus/common';
import { DatasetMessage } from '../message/dataset-message';
import { consumerObserver } from './consumer-observer';
import { EventHub } from '@databus/common/internal';
import type { StreamingEvent } from './streaming-events';

const message = new DatasetMessage({
  dataset: 'orders',
  headers: {},
  data: Buffer.from('{}'),
  sequence: 7,
  timestamp: new Date(0),
  redelivered: true,
});

describe('consumerObserver', () => {
  it('records consumed, redelivered and duration metrics per message when metrics are configured', () => {
    const calls: unknown[][] = [];
    const metrics: DatabusMetrics = {
      increment: (...args) => void calls.push(['increment', ...args]),
      observe: (...args) => void calls.push(['observe', ...args]),
      set: () => undefined,
    };
    const observer = consumerObserver(
      {
        connection: 'default',
        dataset: 'orders',
        group: 'g',
        events: new EventHub<StreamingEvent>(),
        metrics,
      },
      'orders.dlq',
    );
    observer.onProcessed?.(message, 'done', 250);
    const labels = { lib: 'streaming', dataset: 'orders', group: 'g' };
    expect(calls).toEqual([
      ['increment', 'databus_messages_redelivered_total', labels],
      ['increment', 'databus_messages_consumed_total', { ...labels, outcome: 'ok' }],
      ['observe', 'databus_handler_duration_seconds', 0.25, labels],
    ]);
  });

  it('has no per-message hook with noopMetrics, so the processor reads no clock for it', () => {
    const observer = consumerObserver(
      {
        connection: 'default',
        dataset: 'orders',
        events: new EventHub<StreamingEvent>(),
        metrics: noopMetrics,
      },
      false,
    );
    expect(observer.onProcessed).toBeUndefined();
    expect(typeof observer.onRetry).toBe('function');
    expect(typeof observer.onDeadLetter).toBe('function');
  });
});
