import { Logger } from '@nestjs/common';
import { ConfigurationError, DatabusMetrics, MetricLabels } from '@databus/common';
import { MemoryBackend } from '../backends/memory/memory.backend';
import { MemoryBroker } from '../backends/memory/memory-broker';
import type { QueueBackend } from '../backends/queue-backend.interface';
import { resolveHandler } from '../discovery/resolve-handler';
import { handlerObserver } from '../observability/handler-observer';
import { QueueTelemetry } from '../observability/queue-telemetry';
import type { TaskQueueEvent } from '../observability/task-queue-events';
import { resolveTaskQueueOptions } from '../options/resolve-options';
import { HandlerInvoker, HandlerRunner } from './handler-runner';

const logger = new Logger('test');
const options = resolveTaskQueueOptions({
  url: 'memory://',
  prefetch: 4,
  retry: { attempts: 2, backoff: { initialMs: 5, jitter: 0 } },
});
const json = (value: unknown) => ({
  body: Buffer.from(JSON.stringify(value)),
  properties: { contentType: 'application/json' },
});
const waitUntil = async (check: () => boolean) => {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 2));
  expect(check()).toBe(true);
};
const settle = () => new Promise((r) => setTimeout(r, 20));

class CountingMetrics implements DatabusMetrics {
  readonly counts: Record<string, number> = {};
  increment(name: string, labels: MetricLabels = {}, value = 1): void {
    const key = labels.outcome ? `${name}:${labels.outcome}` : name;
    this.counts[key] = (this.counts[key] ?? 0) + value;
    expect(labels).toMatchObject({ lib: 'queue' });
  }
  observe(name: string): void {
    this.counts[name] = (this.counts[name] ?? 0) + 1;
  }
  readonly gauges: Record<string, number> = {};
  set(name: string, value: number): void {
    this.gauges[name] = value;
  }
}

describe('HandlerRunner control, events and metrics', () => {
  let broker: MemoryBroker;
  let backend: MemoryBackend;
  let telemetry: QueueTelemetry;
  let metrics: CountingMetrics;
  let events: TaskQueueEvent[];
  const runnerFor = (
    meta: Parameters<typeof resolveHandler>[0],
    invoke: HandlerInvoker,
    on: QueueBackend = backend,
  ) => {
    const handler = resolveHandler(meta, options, 'W.handle');
    return new HandlerRunner(on, handler, invoke, logger, handlerObserver(telemetry, handler));
  };
  beforeAll(() => Logger.overrideLogger(false));
  beforeEach(async () => {
    broker = new MemoryBroker();
    backend = new MemoryBackend({ broker, publishTimeoutMs: 100 });
    metrics = new CountingMetrics();
    telemetry = new QueueTelemetry(backend, 'default', metrics, false);
    events = [];
    telemetry.events.on((event) => events.push(event));
    await backend.connect();
    events.length = 0; // the first `connected`
  });
  afterEach(async () => {
    await backend.close();
    broker.close();
  });

  it('pauses a task consumer (cancelled, prefetched work returned) and resumes without loss', async () => {
    const seen: number[] = [];
    const runner = runnerFor({ kind: 'task', queue: 'p', options: {} }, async (payload) => {
      seen.push((payload as { n: number }).n);
    });
    await runner.start();
    await runner.pause();
    expect(runner.state).toBe('paused');
    expect(broker.consumerCount('p')).toBe(0);
    for (let n = 0; n < 5; n++) await backend.send('p', json({ n }), { name: 'p' });
    await settle();
    expect(seen).toEqual([]);
    expect(broker.messageCount('p')).toBe(5);
    await runner.resume();
    await waitUntil(() => seen.length === 5);
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    expect(events.map((e) => e.type)).toEqual(['consumer-attached', 'consumer-stopped', 'consumer-attached']);
    await runner.stop(100);
    expect(runner.state).toBe('stopped');
  });

  it('lets a running handler finish and settle while paused', async () => {
    let release!: () => void;
    const started: number[] = [];
    const runner = runnerFor({ kind: 'task', queue: 'r', options: {} }, async (payload) => {
      started.push((payload as { n: number }).n);
      if (started.length === 1) await new Promise<void>((resolve) => (release = resolve));
    });
    await runner.start();
    for (let n = 0; n < 3; n++) await backend.send('r', json({ n }), { name: 'r' });
    await waitUntil(() => started.length === 1);
    await runner.pause();
    release();
    await waitUntil(() => runner.inFlight === 0);
    expect(started).toEqual([0]);
    expect(broker.messageCount('r')).toBe(2);
    await runner.resume();
    await waitUntil(() => started.length === 3);
    expect(metrics.counts['databus_messages_consumed_total:ok']).toBe(3);
    // The two that waited behind the running one were returned by pause() and came back redelivered.
    expect(metrics.counts.databus_messages_redelivered_total).toBe(2);
    await waitUntil(() => metrics.gauges.databus_in_flight_messages === 0);
    await runner.stop(100);
  });

  it('keeps an exclusive subscriber queue while paused and delivers what it buffered on resume', async () => {
    const seen: number[] = [];
    const runner = runnerFor({ kind: 'event', exchange: 'news', options: {} }, async (payload) => {
      seen.push((payload as { n: number }).n);
    });
    await runner.start();
    await runner.pause();
    for (let n = 0; n < 6; n++) await backend.publish('news', json({ n }));
    await settle();
    expect(seen).toEqual([]);
    await runner.resume();
    await waitUntil(() => seen.length === 6);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5]);
    await runner.stop(100);
  });

  it('reports a consumer that cannot be attached as failed, and starts it again later', async () => {
    let refuse = true;
    const flaky: QueueBackend = Object.assign(Object.create(backend) as QueueBackend, {
      consume: (...args: Parameters<QueueBackend['consume']>) =>
        refuse
          ? Promise.reject(new ConfigurationError('queue', 'other arguments'))
          : backend.consume(...args),
    });
    const runner = runnerFor({ kind: 'task', queue: 'f', options: {} }, async () => undefined, flaky);
    await expect(runner.start()).rejects.toThrow(ConfigurationError);
    expect(runner.state).toBe('failed');
    expect(runner.error?.message).toContain('other arguments');
    expect(events.at(-1)).toMatchObject({ type: 'consumer-stopped', cause: 'failed', handler: 'W.handle' });
    refuse = false;
    await runner.start();
    expect(runner.state).toBe('running');
    expect(runner.error).toBeUndefined();
    await runner.stop(100);
  });

  it('counts outcomes, retries and dead letters and emits failure events', async () => {
    const calls = new Map<number, number>();
    const runner = runnerFor({ kind: 'task', queue: 'm', options: {} }, async (payload) => {
      const n = (payload as { n: number }).n;
      calls.set(n, (calls.get(n) ?? 0) + 1);
      if (n === 1 && calls.get(n) === 1) throw new Error('flaky');
      if (n === 2) throw new Error('always');
    });
    await runner.start();
    for (let n = 0; n < 3; n++) await backend.send('m', json({ n }), { name: 'm' });
    await backend.send('m', { body: Buffer.from('{nope'), properties: { contentType: 'application/json' } });
    await waitUntil(() => broker.messageCount('m.dlq') === 2);
    await waitUntil(() => metrics.counts['databus_messages_consumed_total:ok'] === 2);
    expect(metrics.counts).toMatchObject({
      'databus_messages_consumed_total:ok': 2,
      'databus_messages_consumed_total:dead_lettered': 2,
      databus_messages_dead_lettered_total: 2,
      databus_handler_retries_total: 2,
      databus_handler_duration_seconds: 6,
    });
    expect(
      events
        .filter((e) => e.type === 'handler-failed')
        .map((e) => e.type === 'handler-failed' && e.willRetry),
    ).toEqual([true, true, false]);
    expect(events.filter((e) => e.type === 'dead-lettered')).toEqual([
      expect.objectContaining({ reason: 'decode-error', deadLetter: 'm.dlq', queue: 'm' }),
      expect.objectContaining({ reason: 'retries-exhausted', attempts: 2, deadLetter: 'm.dlq' }),
    ]);
    await runner.stop(100);
  });

  it('turns backend status into connection events and counts reconnects', async () => {
    await broker.restart(5);
    expect(events.map((e) => e.type)).toEqual(['disconnected', 'connected']);
    expect(events[1]).toMatchObject({ connection: 'default', generation: 2 });
    expect(metrics.counts.databus_reconnects_total).toBe(1);
    expect(telemetry.state.type).toBe('connected');
  });
});
