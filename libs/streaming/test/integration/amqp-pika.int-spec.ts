import { Injectable } from '@nestjs/common';
import { connect } from 'amqplib';
import { describeWithPika, runPika, startPika, uniqueName, waitFor } from '@databus/testing';
import {
  ConfigurationError,
  DatasetMessage,
  Offset,
  OnDatasetMessage,
  Payload,
  UnsupportedFeatureError,
} from '@databus/streaming';
import { startApp, TestApp } from '../conformance/harness';
import { amqpUrl } from './amqp-test-kit';

/**
 * The amqp transport with the course's own pika programs (libs/testing/fixtures/pika), which declare with
 * pika's defaults (`queue_declare(queue='stats')`, `exchange_declare(exchange='logs', exchange_type='fanout')`,
 * not durable) and listen with `auto_ack=True`: a dataset with the `amqp` option is that queue or exchange.
 */
describeWithPika('amqp transport interop with pika programs', () => {
  const target = { name: 'amqp', url: amqpUrl };
  const names: string[] = [];
  let apps: TestApp[] = [];
  const name = (prefix: string): string => {
    const n = uniqueName(prefix);
    names.push(n);
    return n;
  };
  const app = async (providers: Parameters<typeof startApp>[2] = {}): Promise<TestApp> => {
    const started = await startApp(target, amqpUrl(), providers);
    apps.push(started);
    return started;
  };
  afterEach(async () => {
    for (const started of apps.reverse()) await started.close();
    apps = [];
  });
  afterAll(async () => {
    const model = await connect(amqpUrl());
    for (const n of names) {
      const channel = await model.createChannel();
      channel.on('error', () => undefined);
      await channel.deleteQueue(n).catch(() => undefined);
      await channel.deleteExchange(n).catch(() => undefined);
      await channel.close().catch(() => undefined);
    }
    await model.close();
  });

  const pikaQueue = { amqp: { queue: { durable: false } } };
  const pikaExchange = { amqp: { exchange: { durable: false } } };

  it('hands a handler what a pika producer sent, pika declaring the queue first', async () => {
    const stats = name('stats');
    expect(await runPika('send_stats.py', [amqpUrl(), stats, '3'])).toEqual({
      code: 0,
      lines: [`declared ${stats}`, 'sent 3'],
    });
    const seen: unknown[] = [];
    @Injectable()
    class StatsHandler {
      @OnDatasetMessage(stats, { ...pikaQueue, batch: 1 })
      on(@Payload() task: unknown): void {
        seen.push(task);
      }
    }
    await app({ providers: [StatsHandler] });
    await waitFor(() => seen.length === 3, { message: 'the three pika messages' });
    expect(seen).toEqual([0, 1, 2].map((n) => ({ sensor: 'pika', n })));
  });

  it('lets pika declare after a databus subscriber (no PRECONDITION_FAILED) and delivers its messages', async () => {
    const stats = name('stats');
    const started = await app();
    const sub = await started.channel.subscribe(stats, { ...pikaQueue, batch: 5, maxWaitMs: 200 });
    try {
      await expect(sub.seek(Offset.BEGIN)).rejects.toBeInstanceOf(UnsupportedFeatureError);
      await started.channel.produce(stats, { sensor: 'databus' }, pikaQueue);
      expect(await runPika('send_stats.py', [amqpUrl(), stats, '1'])).toEqual({
        code: 0,
        lines: [`declared ${stats}`, 'sent 1'],
      });
      const got: DatasetMessage[] = [];
      for await (const message of sub) {
        got.push(message);
        if (got.length === 2) break;
      }
      expect(got.map((m) => m.json())).toEqual([{ sensor: 'databus' }, { sensor: 'pika', n: 0 }]);
    } finally {
      await sub.close();
    }
  });

  it('produces to a pika fanout listener (auto_ack=True) that declared the exchange first', async () => {
    const logs = name('logs');
    const listener = startPika('receive_logs.py', [amqpUrl(), logs, '2']);
    try {
      await listener.line('ready');
      const started = await app();
      await started.channel.produce(logs, { content: 'first' }, pikaExchange);
      await started.channel.produce(logs, 'second', pikaExchange);
      const { code, lines } = await listener.exited;
      expect({ code, bodies: lines.filter((l) => l.startsWith('body ')) }).toEqual({
        code: 0,
        bodies: ['body {"content":"first"}', 'body second'],
      });
    } finally {
      listener.kill();
    }
  });

  it('lets pika declare the exchange after an at-most-once databus handler, and both get every message', async () => {
    const logs = name('logs');
    const seen: unknown[] = [];
    @Injectable()
    class LogHandler {
      @OnDatasetMessage(logs, { ...pikaExchange, delivery: 'at-most-once', batch: 1 })
      on(@Payload() entry: unknown): void {
        seen.push(entry);
      }
    }
    const started = await app({ providers: [LogHandler] });
    const listener = startPika('receive_logs.py', [amqpUrl(), logs, '1']);
    try {
      await listener.line('ready');
      await started.channel.produce(logs, { content: 'to both' }, pikaExchange);
      const { code, lines } = await listener.exited;
      expect({ code, bodies: lines.filter((l) => l.startsWith('body ')) }).toEqual({
        code: 0,
        bodies: ['body {"content":"to both"}'],
      });
      await waitFor(() => seen.length === 1, { message: 'the message at the databus handler' });
      expect(seen).toEqual([{ content: 'to both' }]);
    } finally {
      listener.kill();
    }
  });

  describe('a declaration that differs from what pika declared', () => {
    it('fails subscribe and produce with a ConfigurationError naming the queue and durable', async () => {
      const stats = name('stats');
      await runPika('send_stats.py', [amqpUrl(), stats, '0']);
      const started = await app();
      const durable = { amqp: { queue: {} } };
      const failure = await started.channel.subscribe(stats, durable).then(
        async (sub) => {
          await sub.close();
          return undefined;
        },
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(ConfigurationError);
      expect(failure).toMatchObject({
        option: `subscribe('${stats}'): amqp.queue.durable`,
        message: expect.stringContaining(`expected false as declared on the existing queue "${stats}"`),
      });
      await expect(started.channel.produce(stats, { a: 1 }, durable)).rejects.toMatchObject({
        name: 'ConfigurationError',
        option: 'produce: amqp.queue.durable',
      });
    });

    it('refuses to take a queue pika declared for a stream, pointing to the amqp option', async () => {
      const stats = name('stats');
      await runPika('send_stats.py', [amqpUrl(), stats, '0']);
      const started = await app();
      await expect(started.channel.produce(stats, { a: 1 })).rejects.toMatchObject({
        name: 'ConfigurationError',
        option: 'amqp',
        message: expect.stringContaining(`the existing queue "${stats}"`),
      });
    });

    it('refuses the exchange to a pika listener with other flags, naming the exchange', async () => {
      const logs = name('logs');
      await runPika('emit_log.py', [amqpUrl(), logs, 'x']);
      const started = await app();
      await expect(
        started.channel.produce(logs, { a: 1 }, { amqp: { exchange: { durable: true } } }),
      ).rejects.toMatchObject({
        name: 'ConfigurationError',
        option: 'produce: amqp.exchange.durable',
        message: expect.stringContaining(`the existing exchange "${logs}"`),
      });
    });
  });
});
