import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { DatabusMetrics, MetricLabels, PermanentError } from '@databus/common';
import { StreamingEvent, StreamingHandlerRegistry, StreamingHealthIndicator } from '@databus/streaming';
import { ConformanceTarget, dataset, startApp } from './harness';
import { delay, indexes, produceNumbered, range, Recorded, recordingHandler, waitUntil } from './helpers';

/** A DatabusMetrics that keeps counts in memory. */
export class RecordingMetrics implements DatabusMetrics {
  readonly counts = new Map<string, number>();
  increment(name: string, labels: MetricLabels = {}, value = 1): void {
    const key = `${name}${labels.outcome ? `:${labels.outcome}` : ''}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + value);
  }
  observe(name: string): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
  }
  set(): void {}
  get(key: string): number {
    return this.counts.get(key) ?? 0;
  }
}

/** Tracing across producer and consumer, metrics, events, health and runtime pause/resume. */
export function observabilityConformance(target: ConformanceTarget): void {
  describe('observability', () => {
    it('links the consumer span to the producer span through message headers (W3C trace context)', async () => {
      const exporter = new InMemorySpanExporter();
      const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
      trace.setGlobalTracerProvider(provider);
      context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
      propagation.setGlobalPropagator(new W3CTraceContextPropagator());
      const ds = dataset('traced');
      const seen: Recorded[] = [];
      const app = await startApp(target, target.url(), {
        providers: [recordingHandler(ds, { batch: 1 }, seen)],
      });
      try {
        await delay(200);
        const tracer = trace.getTracer('test');
        await tracer.startActiveSpan('GET /api/sensors/a/stats', async (root) => {
          await app.channel.produce(ds, { i: 0 });
          root.end();
        });
        await waitUntil(target, () => seen.length === 1, 'the traced message');
        await waitUntil(
          target,
          () => exporter.getFinishedSpans().some((s) => s.name === `process ${ds}`),
          'the process span',
        );
        const spans = exporter.getFinishedSpans();
        const root = spans.find((s) => s.name === 'GET /api/sensors/a/stats');
        const publish = spans.find((s) => s.name === `publish ${ds}`);
        const processSpan = spans.find((s) => s.name === `process ${ds}`);
        expect(root && publish && processSpan).toBeTruthy();
        expect(publish?.spanContext().traceId).toBe(root?.spanContext().traceId);
        expect(processSpan?.spanContext().traceId).toBe(root?.spanContext().traceId);
        expect(processSpan?.parentSpanContext?.spanId).toBe(publish?.spanContext().spanId);
        expect(processSpan?.attributes['messaging.destination.name']).toBe(ds);
        expect(seen[0].message.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
      } finally {
        await app.close();
        trace.disable();
        context.disable();
        propagation.disable();
        await provider.shutdown();
      }
    });

    it('counts produced, consumed, dead-lettered and retried messages, and emits failure events', async () => {
      const ds = dataset('metrics');
      const metrics = new RecordingMetrics();
      const events: StreamingEvent[] = [];
      const seen: Recorded[] = [];
      const handler = recordingHandler(
        ds,
        { batch: 5, retry: { attempts: 2, backoff: { initialMs: 5, maxMs: 10 } } },
        seen,
        (p) => {
          if (p.i === 3) throw new PermanentError('bad reading');
          if (p.i === 4 && seen.filter((r) => r.payload.i === 4).length === 1) throw new Error('flaky');
        },
      );
      const app = await startApp(target, target.url(), { options: { metrics }, providers: [handler] });
      const off = app.channel.onEvent((e) => events.push(e));
      try {
        await delay(200);
        await produceNumbered(app.channel, ds, 6);
        await waitUntil(
          target,
          () =>
            metrics.get('databus_messages_consumed_total:ok') +
              metrics.get('databus_messages_consumed_total:dead_lettered') ===
            6,
          'six outcomes',
        );
        expect(metrics.get('databus_messages_produced_total')).toBe(6);
        expect(metrics.get('databus_messages_consumed_total:ok')).toBe(5);
        expect(metrics.get('databus_messages_consumed_total:dead_lettered')).toBe(1);
        expect(metrics.get('databus_messages_dead_lettered_total')).toBe(1);
        expect(metrics.get('databus_handler_retries_total')).toBe(1);
        expect(metrics.get('databus_handler_duration_seconds')).toBe(6);
        const dead = events.find((e) => e.type === 'dead-lettered');
        expect(dead).toMatchObject({
          type: 'dead-lettered',
          dataset: ds,
          deadLetter: `${ds}.dlq`,
          attempts: 1,
        });
        expect(events.some((e) => e.type === 'handler-failed' && e.willRetry)).toBe(true);
      } finally {
        off();
        await app.close();
      }
    });

    it('pauses and resumes a handler at runtime without losing messages, and reports health', async () => {
      const ds = dataset('pause');
      const seen: Recorded[] = [];
      const handler = recordingHandler(ds, { batch: 1 }, seen);
      const app = await startApp(target, target.url(), { providers: [handler] });
      const registry = app.module.get(StreamingHandlerRegistry);
      const health = app.module.get(StreamingHealthIndicator);
      try {
        await delay(200);
        const [info] = registry.list();
        expect(info).toMatchObject({ id: `${handler.name}.handle`, dataset: ds, state: 'running' });
        expect(health.check('streaming').streaming.status).toBe('up');
        await registry.pause(info.id);
        await delay(150); // a fetch already waiting may still deliver; what follows must not
        const before = seen.length;
        await produceNumbered(app.channel, ds, 5);
        await delay(500);
        expect(seen.length).toBe(before);
        expect(registry.list()[0].state).toBe('paused');
        await registry.resume(info.id);
        await waitUntil(target, () => indexes(seen).length === 5, 'the five messages after resume');
        expect(indexes(seen)).toEqual(range(0, 5));
        await registry.stop(info.id);
        expect(registry.list()[0].state).toBe('stopped');
        await produceNumbered(app.channel, ds, 1, { from: 5 });
        await registry.start(info.id);
        await waitUntil(target, () => indexes(seen).includes(5), 'the message produced while stopped');
      } finally {
        await app.close();
      }
      expect(health.check('streaming').streaming.status).toBe('down');
    });
  });
}
