import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { OutgoingRecord, ProduceResult } from '../transport/transport-record.interface';
import { ChannelService } from './channel.service';
import { StreamingConnection } from '../connection/streaming-connection';

/** A connection whose transport records each produce batch. */
function channelWithRecordingTransport(tracing: boolean) {
  const batches: OutgoingRecord[][] = [];
  let sequence = 0;
  const transport = {
    name: 'memory',
    produce: async (_dataset: string, records: OutgoingRecord[]): Promise<ProduceResult[]> => {
      batches.push(records);
      return records.map(() => ({ sequence: ++sequence }));
    },
  };
  const connection = { transport, options: { tracing, metrics: { increment: () => undefined } } };
  return { batches, channel: new ChannelService(connection as unknown as StreamingConnection) };
}

describe('ChannelService.produce', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const contextManager = new AsyncLocalStorageContextManager();

  beforeAll(() => {
    trace.setGlobalTracerProvider(provider);
    context.setGlobalContextManager(contextManager.enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  });
  afterAll(() => {
    trace.disable();
    context.disable();
    propagation.disable();
  });
  beforeEach(() => exporter.reset());

  it('with a tracer registered, batches the calls of one tick and gives each message its own publish span', async () => {
    const { batches, channel } = channelWithRecordingTransport(true);
    const results = await Promise.all([
      channel.produce('readings', { i: 1 }),
      channel.produce('readings', { i: 2 }),
    ]);
    expect(results).toEqual([{ sequence: 1 }, { sequence: 2 }]);
    expect(batches).toHaveLength(1);
    const spans = exporter.getFinishedSpans().filter((s) => s.name === 'publish readings');
    expect(spans).toHaveLength(2);
    const parents = batches[0].map((record) => record.headers.traceparent);
    expect(parents).toEqual(spans.map((s) => `00-${s.spanContext().traceId}-${s.spanContext().spanId}-01`));
  });

  it('with tracing off, batches the calls of one tick and writes no trace headers', async () => {
    const { batches, channel } = channelWithRecordingTransport(false);
    await Promise.all([channel.produce('readings', 1), channel.produce('readings', 2)]);
    expect(batches).toHaveLength(1);
    expect(batches[0].map((record) => record.headers.traceparent)).toEqual([undefined, undefined]);
    expect(exporter.getFinishedSpans()).toHaveLength(0);
  });
});
