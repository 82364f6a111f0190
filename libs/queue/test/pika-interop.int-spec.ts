import { Injectable } from '@nestjs/common';
import { Test, TestingModule } from '@nestjs/testing';
import { ConfigurationError, EventSubscriber, TaskHandler, TaskQueue, TaskQueueModule } from '@databus/queue';
import { brokerUrl, describeWithPika, runPika, startPika, uniqueName, waitFor } from '@databus/testing';
import { FAST, startApp } from './conformance/fixture';
import { RabbitAdmin } from './helpers/rabbit-admin';

/**
 * Interop with the course's own pika programs (libs/testing/fixtures/pika), which declare with pika's
 * defaults: `queue_declare(queue='stats')` and `exchange_declare(exchange='logs', exchange_type='fanout')`
 * are not durable, and the listener consumes with `auto_ack=True`. Each test uses its own names.
 */
describeWithPika('queue interop with pika programs', () => {
  const url = brokerUrl('amqp');
  const admin = new RabbitAdmin(url);
  let apps: TestingModule[] = [];
  let names: string[] = [];
  const name = (prefix: string): string => {
    const n = uniqueName(prefix);
    names.push(n);
    return n;
  };
  const app = async (providers: Parameters<typeof startApp>[1]): Promise<TestingModule> => {
    const started = await startApp({ url, ...FAST }, providers);
    apps.push(started);
    return started;
  };

  afterEach(async () => {
    for (const started of apps.reverse()) await started.close();
    apps = [];
    await admin.deleteQueues(names);
    names = [];
  });
  afterAll(() => admin.close());

  const statsWorker = (queue: string, seen: unknown[]) => {
    @Injectable()
    class StatsWorker {
      @TaskHandler(queue, { queueOptions: { durable: false } })
      async compute(task: unknown): Promise<void> {
        seen.push(task);
      }
    }
    return StatsWorker;
  };

  it('consumes what a pika producer sent, pika declaring the queue first and databus second', async () => {
    const queue = name('stats');
    const sent = await runPika('send_stats.py', [url, queue, '3']);
    expect(sent.lines).toEqual([`declared ${queue}`, 'sent 3']);
    const seen: unknown[] = [];
    await app([statsWorker(queue, seen)]);
    await waitFor(() => seen.length === 3, { message: 'the three pika tasks' });
    expect(seen).toEqual([0, 1, 2].map((n) => ({ sensor: 'pika', n })));
  });

  it('lets a pika producer declare after databus (no PRECONDITION_FAILED) and consumes its tasks', async () => {
    const queue = name('stats');
    const seen: unknown[] = [];
    const started = await app([statsWorker(queue, seen)]);
    await started.get(TaskQueue).enqueue(queue, { sensor: 'databus' }, { queueOptions: { durable: false } });
    const sent = await runPika('send_stats.py', [url, queue, '2']);
    expect(sent).toEqual({ code: 0, lines: [`declared ${queue}`, 'sent 2'] });
    await waitFor(() => seen.length === 3, { message: 'one databus and two pika tasks' });
    expect(seen).toEqual([{ sensor: 'databus' }, { sensor: 'pika', n: 0 }, { sensor: 'pika', n: 1 }]);
  });

  it('publishes to a pika fanout listener (auto_ack=True) that declared the exchange first', async () => {
    const exchange = name('logs');
    const listener = startPika('receive_logs.py', [url, exchange, '2']);
    try {
      await listener.line('ready');
      const taskQueue = (await app([])).get(TaskQueue);
      for (const content of ['first', 'second'])
        await taskQueue.publish(exchange, { content }, { exchangeOptions: { durable: false } });
      const { code, lines } = await listener.exited;
      expect(code).toBe(0);
      expect(lines.filter((l) => l.startsWith('body '))).toEqual([
        'body {"content":"first"}',
        'body {"content":"second"}',
      ]);
    } finally {
      listener.kill();
    }
  });

  it('lets a pika listener declare the exchange after a databus subscriber, and both get every event', async () => {
    const exchange = name('logs');
    const events: unknown[] = [];
    @Injectable()
    class LogListener {
      @EventSubscriber(exchange, { exchangeOptions: { durable: false }, delivery: 'at-most-once' })
      onLog(event: unknown): void {
        events.push(event);
      }
    }
    const taskQueue = (await app([LogListener])).get(TaskQueue);
    const listener = startPika('receive_logs.py', [url, exchange, '1']);
    try {
      await listener.line('ready');
      await taskQueue.publish(exchange, { content: 'to both' }, { exchangeOptions: { durable: false } });
      const { code, lines } = await listener.exited;
      expect({ code, bodies: lines.filter((l) => l.startsWith('body ')) }).toEqual({
        code: 0,
        bodies: ['body {"content":"to both"}'],
      });
      await waitFor(() => events.length === 1, { message: 'the event at the databus subscriber' });
      expect(events).toEqual([{ content: 'to both' }]);
    } finally {
      listener.kill();
    }
  });

  it('consumes what pika emit_log.py published to its fanout exchange, databus declaring first', async () => {
    const exchange = name('logs');
    const events: unknown[] = [];
    @Injectable()
    class LogListener {
      @EventSubscriber(exchange, { exchangeOptions: { durable: false } })
      onLog(event: unknown): void {
        events.push(event);
      }
    }
    await app([LogListener]);
    const sent = await runPika('emit_log.py', [url, exchange, '{"content": "from pika"}']);
    expect(sent).toEqual({ code: 0, lines: [`declared ${exchange}`, 'sent'] });
    await waitFor(() => events.length === 1, { message: 'the pika event' });
    expect(events).toEqual([{ content: 'from pika' }]);
  });

  describe('a declaration that differs from the existing queue or exchange', () => {
    it('fails the bootstrap of a durable handler on a queue pika declared, naming the queue and durable', async () => {
      const queue = name('stats');
      await runPika('send_stats.py', [url, queue, '0']);
      @Injectable()
      class DurableWorker {
        @TaskHandler(queue)
        async compute(): Promise<void> {}
      }
      const moduleRef = await Test.createTestingModule({
        imports: [TaskQueueModule.forRoot({ url, ...FAST, logger: false })],
        providers: [DurableWorker],
      }).compile();
      moduleRef.useLogger(false);
      const failure = await moduleRef.init().then(
        () => undefined,
        (error: unknown) => error,
      );
      await moduleRef.close().catch(() => undefined); // the connection opened before the handler failed
      expect(failure).toBeInstanceOf(ConfigurationError);
      expect(failure).toMatchObject({
        option: 'DurableWorker.compute @TaskHandler.queueOptions.durable',
        message: expect.stringContaining(`expected false as declared on the existing queue "${queue}"`),
      });
    });

    it('fails enqueue and publish with a ConfigurationError naming the option, and the connection goes on', async () => {
      const queue = name('stats');
      const exchange = name('logs');
      await runPika('send_stats.py', [url, queue, '0']);
      await runPika('emit_log.py', [url, exchange, 'x']);
      const taskQueue = (await app([])).get(TaskQueue);
      await expect(taskQueue.enqueue(queue, { a: 1 })).rejects.toMatchObject({
        name: 'ConfigurationError',
        option: `enqueue(${JSON.stringify(queue)}).queueOptions.durable`,
      });
      await expect(taskQueue.publish(exchange, { a: 1 })).rejects.toMatchObject({
        name: 'ConfigurationError',
        option: `publish(${JSON.stringify(exchange)}).exchangeOptions.durable`,
      });
      // The same connection still declares and publishes with the matching options.
      await taskQueue.enqueue(queue, { a: 2 }, { queueOptions: { durable: false } });
      expect(await admin.messageCount(queue)).toBe(1);
      expect(taskQueue.isConnected()).toBe(true);
    });

    it('is what pika meets when databus declared durable (the defaults): pika is refused, databus is not', async () => {
      const queue = name('stats');
      await (await app([])).get(TaskQueue).enqueue(queue, { a: 1 });
      const sent = await runPika('send_stats.py', [url, queue, '1']);
      expect(sent.code).toBe(3);
      expect(sent.lines[0]).toMatch(/^refused 406 PRECONDITION_FAILED - inequivalent arg 'durable'/);
    });
  });
});
