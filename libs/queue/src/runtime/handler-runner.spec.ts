import { Logger } from '@nestjs/common';
import { MemoryBackend } from '../backends/memory/memory.backend';
import { MemoryBroker } from '../backends/memory/memory-broker';
import type { Delivery, QueueBackend } from '../backends/queue-backend.interface';
import { resolveTaskQueueOptions } from '../options/resolve-options';
import { resolveHandler } from '../discovery/resolve-handler';
import { WireHeaders } from '../wire/wire-format';
import { HandlerInvoker, HandlerRunner } from './handler-runner';
import { TaskMessage } from './task-message';

const logger = new Logger('test');
const options = resolveTaskQueueOptions({
  url: 'memory://',
  prefetch: 8,
  retry: { attempts: 2, backoff: { initialMs: 5, jitter: 0 } },
});
const handler = (queue: string, concurrency: number) =>
  resolveHandler({ kind: 'task', queue, options: { concurrency } }, options, 'T.m');
const json = (value: unknown) => ({
  body: Buffer.from(JSON.stringify(value)),
  properties: { contentType: 'application/json' },
});
const waitUntil = async (check: () => boolean) => {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 2));
  expect(check()).toBe(true);
};

describe('HandlerRunner', () => {
  let broker: MemoryBroker;
  let backend: MemoryBackend;
  beforeAll(() => Logger.overrideLogger(false));
  beforeEach(async () => {
    broker = new MemoryBroker();
    backend = new MemoryBackend({ broker, publishTimeoutMs: 100 });
    await backend.connect();
  });
  afterEach(async () => {
    await backend.close();
    broker.close();
  });

  it('never runs more handlers at once than its concurrency', async () => {
    let running = 0;
    let peak = 0;
    let done = 0;
    const invoke: HandlerInvoker = async () => {
      peak = Math.max(peak, ++running);
      await new Promise((r) => setTimeout(r, 3));
      running--;
      done++;
    };
    const runner = new HandlerRunner(backend, handler('c', 3), invoke, logger);
    await runner.start();
    for (let n = 0; n < 30; n++) await backend.send('c', json({ n }), { name: 'c' });
    await waitUntil(() => done === 30);
    expect(peak).toBe(3);
    await runner.stop(100);
  });

  it('on stop releases waiting deliveries and reports handlers that outlive the timeout', async () => {
    const release: Array<() => void> = [];
    const invoke: HandlerInvoker = () => new Promise<void>((resolve) => release.push(resolve));
    const runner = new HandlerRunner(backend, handler('s', 2), invoke, logger);
    await runner.start();
    for (let n = 0; n < 6; n++) await backend.send('s', json({ n }), { name: 's' });
    await waitUntil(() => release.length === 2);
    expect(await runner.stop(20)).toBe(2);
    expect(broker.messageCount('s')).toBe(4);
    release.forEach((resolve) => resolve());
  });

  it('does not reply to an RPC message the handler handed back, and replies after an explicit ack', async () => {
    const replies: Delivery[] = [];
    const replyQueue = await backend.consume({ prefetch: 0, noAck: true }, (d) => replies.push(d));
    const invoke: HandlerInvoker = async (payload, message: TaskMessage) => {
      const mode = (payload as { mode: string }).mode;
      if (mode === 'ack') await message.ack();
      if (mode === 'reject') await message.reject('no');
      return { mode };
    };
    const runner = new HandlerRunner(backend, handler('r', 1), invoke, logger);
    await runner.start();
    for (const mode of ['ack', 'reject'])
      await backend.send(
        'r',
        { ...json({ mode }), properties: { replyTo: replyQueue.queueName, correlationId: mode } },
        { name: 'r' },
      );
    await waitUntil(() => broker.messageCount('r.dlq') === 1);
    await waitUntil(() => replies.length === 2);
    expect(
      replies.map((d) => [d.properties.correlationId, d.properties.headers?.[WireHeaders.STATUS]]),
    ).toEqual([
      ['ack', 'ok'],
      ['reject', 'error'],
    ]);
    await runner.stop(100);
  });

  it('releases the message for redelivery when a retry cannot be published', async () => {
    const nacked: boolean[] = [];
    const failing: QueueBackend = Object.assign(Object.create(backend) as QueueBackend, {
      sendDelayed: () => Promise.reject(new Error('broker gone')),
      nack: (d: Delivery, requeue: boolean) => {
        nacked.push(requeue);
        backend.nack(d, requeue);
      },
    });
    let calls = 0;
    const runner = new HandlerRunner(
      failing,
      handler('f', 1),
      async () => {
        if (++calls === 1) throw new Error('first attempt fails');
      },
      logger,
    );
    await runner.start();
    await backend.send('f', json({}), { name: 'f' });
    await waitUntil(() => calls === 2);
    expect(nacked).toEqual([true]);
    await runner.stop(100);
  });
});
