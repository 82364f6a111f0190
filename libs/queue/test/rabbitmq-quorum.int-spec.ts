import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Injectable } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import {
  TaskContext,
  TaskHandler,
  TaskMessage,
  TaskPayload,
  TaskQueue,
  TaskQueueModuleOptions,
} from '@databus/queue';
import { brokerUrl, describeWithBroker, uniqueName, waitFor } from '@databus/testing';
import { FAST, startApp } from './conformance/fixture';
import { RabbitAdmin } from './helpers/rabbit-admin';

const run = promisify(execFile);
/** The typed option. */
const QUORUM = { queueType: 'quorum' } as const;
/** The raw argument, which still passes through and declares the same queue. */
const RAW_QUORUM = { arguments: { 'x-queue-type': 'quorum' } } as const;

/** The type RabbitMQ reports for each queue (`rabbitmqctl list_queues name type`). */
async function queueTypes(names: string[]): Promise<Record<string, string>> {
  const { stdout } = await run('rabbitmqctl', ['-q', 'list_queues', 'name', 'type', '--formatter', 'json'], {
    timeout: 60_000,
  });
  const rows = JSON.parse(stdout) as { name: string; type: string }[];
  return Object.fromEntries(names.map((n) => [n, rows.find((r) => r.name === n)?.type ?? 'absent']));
}

/**
 * Quorum queues for the task queue on the single loopback RabbitMQ node (3.10 accepts quorum queues on one
 * node; a cluster replicates them to a majority). The work queue, its delay queues and its dead-letter queue
 * are all quorum queues, and the runtime's retry and dead-letter semantics are those of a classic queue.
 */
describeWithBroker('amqp', 'task queue on RabbitMQ quorum queues', () => {
  const url = brokerUrl('amqp');
  const admin = new RabbitAdmin(url);
  const options: TaskQueueModuleOptions = { url, ...FAST };
  let apps: TestingModule[] = [];
  let names: string[] = [];

  afterEach(async () => {
    for (const app of apps.reverse()) await app.close();
    apps = [];
    await admin.deleteQueues(names);
    names = [];
  });
  afterAll(() => admin.close());

  it('declares, handles, retries through a quorum delay queue and dead-letters to a quorum .dlq', async () => {
    const queue = uniqueName('quorum-tasks');
    const attempts = new Map<string, number[]>();
    @Injectable()
    class Worker {
      @TaskHandler(queue, { queueOptions: QUORUM, retry: { attempts: 3, backoff: FAST.retry.backoff } })
      handle(@TaskPayload() task: { id: string; failUntil: number }, @TaskContext() message: TaskMessage) {
        attempts.set(task.id, [...(attempts.get(task.id) ?? []), message.attempt]);
        if (message.attempt < task.failUntil)
          throw new Error(`attempt ${message.attempt} of ${task.id} fails`);
      }
    }
    const app = await startApp(options, [Worker]);
    apps.push(app);
    const tasks = app.get(TaskQueue);
    await tasks.enqueue(queue, { id: 'once', failUntil: 1 }, { queueOptions: QUORUM });
    await tasks.enqueue(queue, { id: 'second-try', failUntil: 2 }, { queueOptions: QUORUM });
    await tasks.enqueue(queue, { id: 'poison', failUntil: 99 }, { queueOptions: QUORUM });
    const dlq = `${queue}.dlq`;
    names.push(queue, dlq, `${queue}.delay-quorum.20`, `${queue}.delay-quorum.40`);
    await waitFor(async () => (await admin.messageCount(dlq)) === 1, {
      message: 'the poison task dead-lettered',
    });
    expect(Object.fromEntries(attempts)).toEqual({ once: [1], 'second-try': [1, 2], poison: [1, 2, 3] });
    const dead = await admin.withChannel((ch) => ch.get(dlq, { noAck: true }));
    expect(dead && JSON.parse(dead.content.toString())).toEqual({ id: 'poison', failUntil: 99 });
    expect(dead && dead.properties.headers?.['x-databus-attempts']).toBe(3);
    expect(await queueTypes([queue, dlq, `${queue}.delay-quorum.20`, `${queue}.delay-quorum.40`])).toEqual({
      [queue]: 'quorum',
      [dlq]: 'quorum',
      [`${queue}.delay-quorum.20`]: 'quorum',
      [`${queue}.delay-quorum.40`]: 'quorum',
    });
  });

  it('delivers a delayed enqueue through a quorum delay queue', async () => {
    const queue = uniqueName('quorum-delayed');
    names.push(queue, `${queue}.dlq`, `${queue}.delay-quorum.50`);
    const seen: unknown[] = [];
    @Injectable()
    class Worker {
      @TaskHandler(queue, { queueOptions: RAW_QUORUM })
      handle(task: unknown) {
        seen.push(task);
      }
    }
    const app = await startApp(options, [Worker]);
    apps.push(app);
    await app.get(TaskQueue).enqueue(queue, { late: true }, { queueOptions: RAW_QUORUM, delayMs: 50 });
    await waitFor(() => seen.length === 1, { message: 'the delayed task' });
    expect(seen).toEqual([{ late: true }]);
    expect(await queueTypes([`${queue}.delay-quorum.50`])).toEqual({
      [`${queue}.delay-quorum.50`]: 'quorum',
    });
  });

  it("lets the broker dead-letter a message redelivered x-delivery-limit times (the runtime's releases count)", async () => {
    const queue = uniqueName('quorum-limit');
    const dlq = `${queue}.dlq`;
    names.push(queue, dlq);
    const declared = {
      arguments: {
        'x-queue-type': 'quorum',
        'x-delivery-limit': 2,
        'x-dead-letter-exchange': '',
        'x-dead-letter-routing-key': dlq,
      },
    };
    await admin.withChannel(async (ch) => {
      await ch.assertQueue(dlq, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    });
    const app = await startApp(options, []);
    apps.push(app);
    await app.get(TaskQueue).enqueue(queue, { crash: 'loop' }, { queueOptions: declared });
    // What a process that crashes on a message does to it: the delivery goes back unsettled, again and again.
    const deliveries = await admin.withChannel(async (ch) => {
      let count = 0;
      for (let round = 0; round < 5; round++) {
        const got = await ch.get(queue, { noAck: false });
        if (!got) break;
        count++;
        ch.nack(got, false, true);
      }
      return count;
    });
    await waitFor(async () => (await admin.messageCount(dlq)) === 1, { message: 'the broker dead-letter' });
    expect(deliveries).toBe(3); // the first delivery and 2 redeliveries, then the broker gives up
    expect(await admin.messageCount(queue)).toBe(0);
  });
});
