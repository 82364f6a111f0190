import { Injectable } from '@nestjs/common';
import { TestingModule } from '@nestjs/testing';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { DatabusMetrics, MetricLabels, PermanentError } from '@databus/common';
import {
  EventSubscriber,
  TaskContext,
  TaskHandler,
  TaskMessage,
  TaskQueue,
  TaskQueueEvent,
  TaskQueueHandlerRegistry,
  TaskQueueHealthIndicator,
} from '@databus/queue';
import { uniqueName, waitFor } from '@databus/testing';
import { ConformanceFixture, FAST, pause, startApp } from './fixture';

/** A DatabusMetrics that keeps counts in memory, by name (and outcome), checking the labels. */
export class RecordingMetrics implements DatabusMetrics {
  readonly counts = new Map<string, number>();
  readonly labels: MetricLabels[] = [];
  increment(name: string, labels: MetricLabels = {}, value = 1): void {
    this.labels.push(labels);
    const key = `${name}${labels.outcome ? `:${labels.outcome}` : ''}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + value);
  }
  observe(name: string, _value: number, labels: MetricLabels = {}): void {
    this.labels.push(labels);
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
  }
  set(): void {}
  get(key: string): number {
    return this.counts.get(key) ?? 0;
  }
}

/**
 * Tracing from producer to consumer, metrics, events, runtime pause/resume/stop/start and health across a
 * broker restart; run unchanged on every backend.
 */
export function describeObservabilityConformance(makeFixture: () => Promise<ConformanceFixture>): void {
  let fixture: ConformanceFixture;
  let apps: TestingModule[] = [];
  let queues: string[] = [];
  const app = async (providers: Parameters<typeof startApp>[1], overrides = {}): Promise<TestingModule> => {
    const started = await startApp(fixture.options({ ...FAST, ...overrides }), providers);
    apps.push(started);
    return started;
  };
  const name = (prefix: string): string => {
    const q = uniqueName(prefix);
    queues.push(q);
    return q;
  };

  beforeAll(async () => {
    fixture = await makeFixture();
  });
  afterAll(async () => {
    await fixture?.close();
  });
  afterEach(async () => {
    for (const started of apps.reverse()) await started.close();
    apps = [];
    await fixture.cleanup(queues);
    queues = [];
  });

  describe('observability', () => {
    it('links the process spans of a task, an event and a request to their producer spans (W3C headers)', async () => {
      const exporter = new InMemorySpanExporter();
      const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
      trace.setGlobalTracerProvider(provider);
      context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
      propagation.setGlobalPropagator(new W3CTraceContextPropagator());
      const [queue, exchange, rpc] = [name('traced'), name('traced-events'), name('traced-rpc')];
      const headers: Record<string, unknown>[] = [];
      @Injectable()
      class Worker {
        @TaskHandler(queue)
        handle(_task: unknown, @TaskContext() message: TaskMessage): void {
          headers.push(message.headers);
        }

        @EventSubscriber(exchange)
        onEvent(): void {}

        @TaskHandler(rpc)
        compute(task: { x: number }): number {
          return task.x * 2;
        }
      }
      try {
        const started = await app([Worker]);
        const taskQueue = started.get(TaskQueue);
        const tracer = trace.getTracer('test');
        let answer: number | undefined;
        await tracer.startActiveSpan('GET /api/sensors/a/stats', async (root) => {
          await taskQueue.enqueue(queue, { sensor: 'a' });
          await taskQueue.publish(exchange, { note: 'hi' });
          answer = await taskQueue.request<number>(rpc, { x: 21 });
          root.end();
        });
        expect(answer).toBe(42);
        const span = (spanName: string) => exporter.getFinishedSpans().find((s) => s.name === spanName);
        await waitFor(
          () => span(`process ${queue}`) && span(`process ${exchange}`) && span(`process ${rpc}`),
          {
            message: 'the three process spans',
          },
        );
        const root = span('GET /api/sensors/a/stats');
        const traceId = root?.spanContext().traceId;
        for (const [producer, consumer] of [
          [`publish ${queue}`, `process ${queue}`],
          [`publish ${exchange}`, `process ${exchange}`],
          [`send ${rpc}`, `process ${rpc}`],
        ]) {
          const [p, c] = [span(producer), span(consumer)];
          expect(p?.spanContext().traceId).toBe(traceId);
          expect(p?.parentSpanContext?.spanId).toBe(root?.spanContext().spanId);
          expect(c?.spanContext().traceId).toBe(traceId);
          expect(c?.parentSpanContext?.spanId).toBe(p?.spanContext().spanId);
        }
        const processed = span(`process ${queue}`);
        expect(processed?.attributes).toMatchObject({
          'messaging.destination.name': queue,
          'messaging.operation.type': 'process',
          'messaging.system': expect.stringMatching(/^(memory|rabbitmq)$/),
        });
        expect(String(headers[0].traceparent)).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
      } finally {
        for (const started of apps.splice(0).reverse()) await started.close();
        trace.disable();
        context.disable();
        propagation.disable();
        await provider.shutdown();
      }
    });

    it('counts produced, consumed, retried and dead-lettered messages and emits failure events', async () => {
      const queue = name('metrics');
      const metrics = new RecordingMetrics();
      const events: TaskQueueEvent[] = [];
      const calls = new Map<number, number>();
      @Injectable()
      class Worker {
        @TaskHandler(queue, { concurrency: 2 })
        handle(task: { i: number }): void {
          calls.set(task.i, (calls.get(task.i) ?? 0) + 1);
          if (task.i === 3) throw new PermanentError('unknown sensor');
          if (task.i === 4 && calls.get(4) === 1) throw new Error('flaky');
        }
      }
      const started = await app([Worker], { metrics });
      const taskQueue = started.get(TaskQueue);
      const off = taskQueue.onEvent((event) => events.push(event));
      try {
        for (let i = 0; i < 6; i++) await taskQueue.enqueue(queue, { i });
        await waitFor(
          () =>
            metrics.get('databus_messages_consumed_total:ok') +
              metrics.get('databus_messages_consumed_total:dead_lettered') ===
            6,
          { timeoutMs: 15_000, message: 'six outcomes' },
        );
        await pause(100);
        expect(metrics.get('databus_messages_produced_total')).toBe(6);
        expect(metrics.get('databus_messages_consumed_total:ok')).toBe(5);
        expect(metrics.get('databus_messages_consumed_total:dead_lettered')).toBe(1);
        expect(metrics.get('databus_messages_dead_lettered_total')).toBe(1);
        expect(metrics.get('databus_handler_retries_total')).toBe(1);
        expect(metrics.get('databus_handler_duration_seconds')).toBe(7); // six messages, one retried
        expect(metrics.labels.every((l) => l.lib === 'queue' && l.dataset === queue)).toBe(true);
        const failures = events.filter((e) => e.type === 'handler-failed');
        expect(failures).toHaveLength(2);
        expect(failures).toEqual(
          expect.arrayContaining([
            expect.objectContaining({ handler: 'Worker.handle', queue, willRetry: false, attempt: 1 }),
            expect.objectContaining({ handler: 'Worker.handle', queue, willRetry: true, attempt: 1 }),
          ]),
        );
        expect(events.find((e) => e.type === 'dead-lettered')).toMatchObject({
          queue,
          deadLetter: `${queue}.dlq`,
          reason: 'permanent-error',
          attempts: 1,
        });
      } finally {
        off();
      }
    });

    it('pauses, resumes, stops and starts a handler at runtime without losing a message', async () => {
      const queue = name('pause');
      const seen: number[] = [];
      @Injectable()
      class Worker {
        @TaskHandler(queue)
        handle(task: { i: number }): void {
          seen.push(task.i);
        }
      }
      const started = await app([Worker]);
      const taskQueue = started.get(TaskQueue);
      const registry = started.get(TaskQueueHandlerRegistry);
      const health = started.get(TaskQueueHealthIndicator);
      expect(registry.list()).toEqual([
        expect.objectContaining({ id: 'Worker.handle', queue, state: 'running', inFlight: 0 }),
      ]);
      expect(health.check('queue').queue.status).toBe('up');
      await registry.pause('Worker.handle');
      expect(registry.list()[0].state).toBe('paused');
      for (let i = 0; i < 5; i++) await taskQueue.enqueue(queue, { i });
      await pause(300);
      expect(seen).toEqual([]);
      expect(await fixture.messageCount(queue)).toBe(5);
      expect(health.check('queue').queue.status).toBe('up');
      await registry.resume('Worker.handle');
      await waitFor(() => seen.length === 5, { message: 'the five tasks after resume' });
      expect(seen).toEqual([0, 1, 2, 3, 4]);
      await registry.stop('Worker.handle');
      expect(registry.list()[0].state).toBe('stopped');
      await taskQueue.enqueue(queue, { i: 5 });
      await pause(200);
      expect(seen).toHaveLength(5);
      await registry.start('Worker.handle');
      await waitFor(() => seen.includes(5), { message: 'the task enqueued while stopped' });
      await waitFor(() => registry.list()[0].handled === 6, { message: 'six handled' });
      expect(registry.list()[0]).toMatchObject({ state: 'running', inFlight: 0 });
      await expect(registry.pause('Nobody.handle')).rejects.toThrow('Worker.handle');
    });

    it('starts no consumer with handlers: false, and still produces', async () => {
      const queue = name('api-only');
      @Injectable()
      class Worker {
        @TaskHandler(queue)
        handle(): void {}
      }
      const started = await app([Worker], { handlers: false });
      expect(started.get(TaskQueueHandlerRegistry).list()).toEqual([]);
      await started.get(TaskQueue).enqueue(queue, { i: 1 });
      expect(await fixture.consumerCount(queue)).toBe(0);
      await waitFor(async () => (await fixture.messageCount(queue)) === 1, { message: 'the task queued' });
      expect(started.get(TaskQueueHealthIndicator).check('queue').queue.status).toBe('up');
    });

    it('reports health degraded (or down) while the broker is stopped and up again after it restarts', async () => {
      const queue = name('health');
      const seen: number[] = [];
      @Injectable()
      class Worker {
        @TaskHandler(queue)
        handle(task: { i: number }): void {
          seen.push(task.i);
        }
      }
      const started = await app([Worker]);
      const health = started.get(TaskQueueHealthIndicator);
      const events: TaskQueueEvent[] = [];
      const off = started.get(TaskQueue).onEvent((event) => events.push(event));
      try {
        expect(health.check('queue').queue).toMatchObject({ status: 'up', connection: 'connected' });
        await fixture.restartBroker(async () => {
          await waitFor(
            () => {
              const result = health.check('queue').queue;
              return result.status === 'down' || result.degraded === true;
            },
            { timeoutMs: 15_000, message: 'health to report the stopped broker' },
          );
        });
        await waitFor(
          () => {
            const result = health.check('queue').queue;
            return result.status === 'up' && result.degraded === undefined;
          },
          { timeoutMs: 60_000, message: 'health up after the restart' },
        );
        await started.get(TaskQueue).enqueue(queue, { i: 1 });
        await waitFor(() => seen.includes(1), { timeoutMs: 15_000, message: 'a task after the restart' });
        const types = events.map((e) => e.type);
        expect(types[0]).toBe('disconnected');
        expect(types).toContain('connected');
        expect(events).toContainEqual(
          expect.objectContaining({ type: 'consumer-attached', handler: 'Worker.handle', reattached: true }),
        );
      } finally {
        off();
      }
      await started.close();
      apps = apps.filter((a) => a !== started);
      expect(health.check('queue').queue).toMatchObject({ status: 'down', reason: 'connection closed' });
    }, 120_000);
  });
}
