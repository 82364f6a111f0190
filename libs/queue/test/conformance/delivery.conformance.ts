import { Injectable } from '@nestjs/common';
import { TestingModule } from '@nestjs/testing';
import { EventSubscriber, TaskHandler, TaskQueue } from '@databus/queue';
import { CapturingLogger, uniqueName, waitFor } from '@databus/testing';
import { ConformanceFixture, FAST, pause, startApp } from './fixture';

/**
 * Delivery modes and declaration options, run unchanged against every backend (memory, RabbitMQ):
 * `delivery: 'at-most-once'` drops a failed message (no retry, no dead letter) and goes on; queues and
 * exchanges declared with `queueOptions` / `exchangeOptions` carry messages like the durable defaults.
 */
export function describeDeliveryConformance(makeFixture: () => Promise<ConformanceFixture>): void {
  let fixture: ConformanceFixture;
  let apps: TestingModule[] = [];
  let queues: string[] = [];

  const app = async (providers: Parameters<typeof startApp>[1], logger?: CapturingLogger) => {
    const started = await startApp(fixture.options({ ...FAST, ...(logger && { logger }) }), providers);
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

  it('drops a failed message at most once: no retry, no dead letter, the next message still handled', async () => {
    const queue = name('at-most-once');
    const calls: number[] = [];
    @Injectable()
    class Worker {
      @TaskHandler(queue, { delivery: 'at-most-once', queueOptions: { durable: false } })
      async handle(task: { id: number }): Promise<void> {
        calls.push(task.id);
        if (task.id === 1) throw new Error('boom: handler failed');
      }
    }
    const logger = new CapturingLogger();
    const started = await app([Worker], logger);
    const taskQueue = started.get(TaskQueue);
    await taskQueue.enqueue(queue, { id: 1 }, { queueOptions: { durable: false } });
    await taskQueue.enqueue(queue, { id: 2 }, { queueOptions: { durable: false } });
    await waitFor(() => calls.length >= 2, { message: 'both messages handled' });
    await pause(200); // a retry (FAST: 20 ms) would have come back by now
    expect(calls).toEqual([1, 2]);
    expect(await fixture.messageCount(queue)).toBe(0);
    expect(await fixture.messageCount(`${queue}.dlq`)).toBe(0);
    expect(logger.at('warn')).toContainEqual(
      expect.stringContaining("(dropped, delivery: 'at-most-once'): boom: handler failed"),
    );
  });

  it('carries tasks and events through a queue and a fanout exchange declared with non-default options', async () => {
    const queue = name('not-durable');
    const exchange = name('not-durable-x');
    const tasks: unknown[] = [];
    const events: unknown[] = [];
    @Injectable()
    class Worker {
      @TaskHandler(queue, { queueOptions: { durable: false, arguments: { 'x-max-length': 100 } } })
      async task(task: unknown): Promise<void> {
        tasks.push(task);
      }

      @EventSubscriber(exchange, { exchangeOptions: { durable: false }, delivery: 'at-most-once' })
      async event(event: unknown): Promise<void> {
        events.push(event);
      }
    }
    const started = await app([Worker]);
    const taskQueue = started.get(TaskQueue);
    await taskQueue.enqueue(
      queue,
      { sensor: 'a' },
      { queueOptions: { durable: false, arguments: { 'x-max-length': 100 } } },
    );
    await taskQueue.publish(exchange, { content: 'log line' }, { exchangeOptions: { durable: false } });
    await waitFor(() => tasks.length === 1 && events.length === 1, { message: 'the task and the event' });
    expect(tasks).toEqual([{ sensor: 'a' }]);
    expect(events).toEqual([{ content: 'log line' }]);
  });
}
