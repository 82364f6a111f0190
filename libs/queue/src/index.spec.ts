import * as api from './index';
import type { EnqueueOptions, QueueHandlerOptions, TaskQueueModuleOptions } from './index';

describe('public API (@databus/queue barrel)', () => {
  it('exports the documented values', () => {
    for (const name of [
      'TaskQueueModule',
      'TaskQueue',
      'TaskHandler',
      'EventSubscriber',
      'TaskPayload',
      'TaskContext',
      'InjectTaskQueue',
      'getTaskQueueToken',
      'TaskMessage',
      'TaskFailedError',
      'MemoryBroker',
      'QUEUE_CONTEXT_TYPE',
      'WireHeaders',
      'RequestTimeoutError',
      'TemporaryError',
      'ConfigurationError',
      'TaskQueueHandlerRegistry',
      'TaskQueueHealthIndicator',
      'getTaskQueueRegistryToken',
      'getTaskQueueHealthToken',
    ])
      expect(api).toHaveProperty(name);
    expect(api.QUEUE_CONTEXT_TYPE).toBe('databus-queue');
    expect(api.getTaskQueueToken()).toBe(api.TaskQueue);
    expect(api.getTaskQueueToken('audit')).toBe('databus:queue:TaskQueue:audit');
    expect(api.getTaskQueueRegistryToken()).toBe(api.TaskQueueHandlerRegistry);
    expect(api.getTaskQueueHealthToken()).toBe(api.TaskQueueHealthIndicator);
    expect(api.getTaskQueueHealthToken('audit')).toBe('databus:queue:health-indicator:audit');
  });

  it('keeps the option shapes assignable as documented (compile-time check)', () => {
    const options: TaskQueueModuleOptions = {
      url: 'amqps://rabbit:5671/vh',
      tls: { ca: 'ca.pem', cert: 'c.pem', key: 'k.pem' },
      prefetch: 50,
      retry: { attempts: 3, backoff: { initialMs: 500 } },
      handlers: false,
      tracing: false,
      metrics: { increment: () => undefined, observe: () => undefined, set: () => undefined },
    };
    const handler: QueueHandlerOptions = {
      concurrency: 8,
      retry: false,
      deadLetter: 'errors',
      onFailure: 'ack',
    };
    const enqueue: EnqueueOptions = { priority: 1, delayMs: 10, correlationId: 'c', headers: { a: 1 } };
    expect([options, handler, enqueue]).toHaveLength(3);
  });
});
