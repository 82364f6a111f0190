import { context, propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { injectTraceContext, tracingActive, withMessagingSpan } from './tracing';

const info = { system: 'memory', destination: 'orders', operation: 'publish' as const };

describe('tracing without and with a registered tracer provider', () => {
  afterEach(() => {
    trace.disable();
    propagation.disable();
    context.disable();
  });

  it('does no span or header work while no tracer provider is registered', async () => {
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    expect(tracingActive()).toBe(false);
    const headers: Record<string, string> = {};
    await expect(withMessagingSpan(info, headers, async () => 'sent')).resolves.toBe('sent');
    expect(headers).toEqual({});
    expect(injectTraceContext({ a: '1' })).toEqual({ a: '1' });
  });

  it('records a span and writes traceparent once a provider is registered, and stops after disable()', async () => {
    const exporter = new InMemorySpanExporter();
    trace.setGlobalTracerProvider(
      new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
    );
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    expect(tracingActive()).toBe(true);
    const headers: Record<string, string> = {};
    await withMessagingSpan(info, headers, async () => undefined);
    expect(headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['publish orders']);
    trace.disable();
    expect(tracingActive()).toBe(false);
  });

  it('answers once per tick: a provider registered after a call is seen from the next tick on', async () => {
    expect(tracingActive()).toBe(false);
    trace.setGlobalTracerProvider(new BasicTracerProvider());
    expect(tracingActive()).toBe(false);
    await Promise.resolve();
    expect(tracingActive()).toBe(true);
  });
});
