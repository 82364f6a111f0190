import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { ConfigurationError } from '@databus/common';
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

  it('keeps call order within the batch, so messages of one key stay in order', async () => {
    const { batches, channel } = channelWithRecordingTransport(false);
    await Promise.all(
      ['a1', 'b1', 'a2', 'a3', 'b2'].map((v) => channel.produce('readings', v, { key: v[0] })),
    );
    expect(batches).toHaveLength(1);
    expect(batches[0].map((r) => [r.key, r.data.toString()])).toEqual([
      ['a', 'a1'],
      ['b', 'b1'],
      ['a', 'a2'],
      ['a', 'a3'],
      ['b', 'b2'],
    ]);
  });

  it('rejects (never throws) a call with a bad argument, and only that call: the rest of the tick is one batch', async () => {
    const { batches, channel } = channelWithRecordingTransport(false);
    const calls = [
      channel.produce('readings', 1),
      channel.produce('bad name!', 2),
      channel.produce('readings', 3, { key: 7 as unknown as string }),
      channel.produce('readings', 4),
    ];
    const outcomes = await Promise.allSettled(calls);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect(((outcomes[1] as PromiseRejectedResult).reason as Error).message).toContain('produce: dataset');
    expect(((outcomes[2] as PromiseRejectedResult).reason as Error).message).toContain('produce: key');
    expect(batches.map((b) => b.map((r) => r.data.toString()))).toEqual([['1', '4']]);
  });

  it('hands a JSON or string body to the transport as text too, its bytes built on first read (the text then let go); bytes stay bytes', async () => {
    const { batches, channel } = channelWithRecordingTransport(false);
    await channel.produce('readings', { v: 'é' });
    await channel.produce('readings', 'hi');
    await channel.produce('readings', Buffer.from([1, 2]));
    const [[json], [text], [bytes]] = batches;
    expect(json.text).toBe('{"v":"é"}');
    expect(json.data).toEqual(Buffer.from('{"v":"é"}', 'utf8'));
    expect(json.data).toBe(json.data);
    // Read once as bytes, the body is kept once: as bytes (a record in flight does not hold it twice).
    expect(json.text).toBeUndefined();
    expect(json.headers).toEqual({ 'content-type': 'application/json' });
    expect(text.text).toBe('hi');
    expect(text.data.toString()).toBe('hi');
    expect(text.text).toBeUndefined();
    expect(bytes.text).toBeUndefined();
    expect([...bytes.data]).toEqual([1, 2]);
    // New bytes replace the text: a transport sending `text` cannot send a stale body.
    json.data = Buffer.from('{"v":2}');
    expect(json.text).toBeUndefined();
    expect(json.data.toString()).toBe('{"v":2}');
  });

  it('checks every dataset name: a bad one is refused however often it is used, a good one is sent each time', async () => {
    const { batches, channel } = channelWithRecordingTransport(false);
    await channel.produce('readings', 1);
    await channel.produce('readings', 2);
    await expect(channel.produce('bad name!', 3)).rejects.toThrow('produce: dataset');
    await expect(channel.produce('bad name!', 4)).rejects.toThrow('produce: dataset');
    expect(batches.map((b) => b.map((r) => r.data.toString()))).toEqual([['1'], ['2']]);
  });

  it('names produceMany in the error for a bad dataset name given to produceMany', async () => {
    const { batches, channel } = channelWithRecordingTransport(false);
    const error = await channel.produceMany('bad name!', [{ value: 1 }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error).toMatchObject({ option: 'produceMany: dataset' });
    expect(batches).toEqual([]);
  });

  it('with a transport acknowledging each record, resolves each call on its own ack and counts it then', async () => {
    const batches: string[][] = [];
    const acks: Array<() => void> = [];
    const counted: number[] = [];
    const transport = {
      name: 'mqtt',
      produce: () => Promise.reject(new Error('produce() is not used when produceEach() exists')),
      produceEach: (
        _dataset: string,
        records: OutgoingRecord[],
        resolves: ReadonlyArray<(result: ProduceResult) => void>,
      ): void => {
        batches.push(records.map((r) => r.data.toString()));
        for (const resolve of resolves) acks.push(() => resolve({}));
      },
    };
    const metrics = { increment: (_name: string, _labels: unknown, n: number) => counted.push(n) };
    const connection = { transport, options: { tracing: false, metrics } };
    const channel = new ChannelService(connection as unknown as StreamingConnection);
    const settled: number[] = [];
    const calls = [1, 2, 3].map((v) => channel.produce('readings', v).then(() => settled.push(v)));
    await Promise.resolve();
    expect(batches).toEqual([['1', '2', '3']]);
    acks[2]();
    await calls[2];
    expect(settled).toEqual([3]);
    expect(counted).toEqual([1]);
    acks[0]();
    acks[1]();
    await Promise.all(calls);
    expect(settled).toEqual([3, 1, 2]);
    expect(counted).toEqual([1, 1, 1]);
  });
});
