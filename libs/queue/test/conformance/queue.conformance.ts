import { Injectable } from '@nestjs/common';
import {
  EventSubscriber,
  RequestTimeoutError,
  TaskContext,
  TaskFailedError,
  TaskHandler,
  TaskMessage,
  TaskPayload,
  TaskQueue,
  WireHeaders,
} from '@databus/queue';
import { waitFor } from '@databus/testing';
import { ConformanceFixture, conformanceHarness, pause } from './fixture';
import { describeLifecycleConformance } from './lifecycle.conformance';

/** Settings of one run of the suite. */
export interface ConformanceSettings {
  /** Tasks in the broker-restart test. */
  restartTasks: number;
  /** Prefetch of the restart test's worker (bounds its duplicates). */
  restartPrefetch: number;
}

/**
 * The behaviour every backend must show, run unchanged against each (memory, RabbitMQ). Each test uses its
 * own queue names and closes every app it starts. Delivery, failure and reply semantics are here; restart
 * and shutdown semantics in lifecycle.conformance.ts.
 */
export function describeQueueConformance(
  makeFixture: () => Promise<ConformanceFixture>,
  settings: ConformanceSettings = { restartTasks: 10_000, restartPrefetch: 50 },
): void {
  const h = conformanceHarness(makeFixture);
  const { app, name, takeFrom } = h;

  it('gives each task to exactly one of several competing workers', async () => {
    const queue = name('compete');
    const seen: number[] = [];
    const perWorker = [0, 0];
    const worker = (index: number) => {
      @Injectable()
      class Worker {
        @TaskHandler(queue, { concurrency: 2 })
        async handle(task: { id: number }): Promise<void> {
          seen.push(task.id);
          perWorker[index]++;
          await pause(1);
        }
      }
      return Worker;
    };
    const first = await app([worker(0)], { prefetch: 5 });
    await app([worker(1)], { prefetch: 5 });
    const taskQueue = first.get(TaskQueue);
    await Promise.all(Array.from({ length: 200 }, (_, id) => taskQueue.enqueue(queue, { id })));
    await waitFor(() => seen.length >= 200, { message: '200 tasks handled' });
    await pause(100);
    expect(seen).toHaveLength(200);
    expect(new Set(seen).size).toBe(200);
    expect(perWorker[0]).toBeGreaterThan(0);
    expect(perWorker[1]).toBeGreaterThan(0);
  });

  it('retries a failing task with growing delays, then dead-letters it with the error in its headers', async () => {
    const queue = name('retry');
    const attempts: Array<{ at: number; attempt: number }> = [];
    @Injectable()
    class Worker {
      @TaskHandler(queue, { retry: { attempts: 3, backoff: { initialMs: 60, factor: 2, jitter: 0 } } })
      async handle(_task: unknown, @TaskContext() message: TaskMessage): Promise<void> {
        attempts.push({ at: Date.now(), attempt: message.attempt });
        throw new Error('boom: stats backend unavailable');
      }
    }
    const started = await app([Worker]);
    await started.get(TaskQueue).enqueue(queue, { sensor: 'a' }, { headers: { tenant: 't1' } });
    const dead = await takeFrom(`${queue}.dlq`);
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
    // Lower bounds only: the delays are at least the backoff (60, then 120 ms), never an immediate requeue.
    expect(attempts[1].at - attempts[0].at).toBeGreaterThanOrEqual(50);
    expect(attempts[2].at - attempts[1].at).toBeGreaterThanOrEqual(100);
    expect(JSON.parse(dead.body.toString())).toEqual({ sensor: 'a' });
    const headers = dead.properties.headers ?? {};
    expect(headers[WireHeaders.REASON]).toBe('retries-exhausted');
    expect(headers[WireHeaders.ERROR]).toBe('boom: stats backend unavailable');
    expect(headers[WireHeaders.ERROR_NAME]).toBe('Error');
    expect(Number(headers[WireHeaders.ATTEMPTS])).toBe(3);
    expect(headers[WireHeaders.ORIGINAL_QUEUE]).toBe(queue);
    expect(headers.tenant).toBe('t1');
    expect(await h.fixture.messageCount(queue)).toBe(0);
  });

  it('keeps the producer-assigned message id on every attempt of a retried task and on its dead-letter copy', async () => {
    const queue = name('msgid');
    const seen: Array<string | undefined> = [];
    @Injectable()
    class Worker {
      @TaskHandler(queue, { retry: { attempts: 2, backoff: { initialMs: 10, jitter: 0 } } })
      async handle(_task: unknown, @TaskContext() message: TaskMessage): Promise<void> {
        seen.push(message.messageId);
        throw new Error('refused');
      }
    }
    const started = await app([Worker]);
    await started.get(TaskQueue).enqueue(queue, { sensor: 'a' }, { messageId: 'producer-task-id' });
    const dead = await takeFrom(`${queue}.dlq`);
    expect(seen).toEqual(['producer-task-id', 'producer-task-id']);
    expect(dead.properties.messageId).toBe('producer-task-id');
  });

  it('dead-letters an undecodable (poison) message at once without calling the handler', async () => {
    const queue = name('poison');
    const calls: unknown[] = [];
    @Injectable()
    class Worker {
      @TaskHandler(queue)
      async handle(task: unknown): Promise<void> {
        calls.push(task);
      }
    }
    const started = await app([Worker]);
    const taskQueue = started.get(TaskQueue);
    await taskQueue.enqueue(queue, Buffer.from('{"sensor": '), { contentType: 'application/json' });
    await taskQueue.enqueue(queue, { ok: true });
    const dead = await takeFrom(`${queue}.dlq`);
    expect(dead.body.toString()).toBe('{"sensor": ');
    expect(dead.properties.headers?.[WireHeaders.REASON]).toBe('decode-error');
    expect(dead.properties.headers?.[WireHeaders.ERROR_NAME]).toBe('PayloadDecodeError');
    expect(Number(dead.properties.headers?.[WireHeaders.ATTEMPTS])).toBe(1);
    await waitFor(() => calls.length === 1);
    expect(calls).toEqual([{ ok: true }]);
  });

  it("acks a failed task under onFailure: 'ack' (no retry, no dead letter)", async () => {
    const queue = name('ackfail');
    let calls = 0;
    @Injectable()
    class Worker {
      @TaskHandler(queue, { onFailure: 'ack' })
      async handle(): Promise<void> {
        calls++;
        throw new Error('task cannot be completed');
      }
    }
    const started = await app([Worker]);
    await started.get(TaskQueue).enqueue(queue, { sensor: 'missing' });
    await waitFor(() => calls === 1);
    await pause(300);
    expect(calls).toBe(1);
    expect(await h.fixture.messageCount(queue)).toBe(0);
    expect(await h.fixture.messageCount(`${queue}.dlq`)).toBe(0);
  });

  it('lets a handler settle explicitly: ack early, retry after a delay, reject to the dead-letter queue', async () => {
    const queue = name('explicit');
    const log: string[] = [];
    @Injectable()
    class Worker {
      @TaskHandler(queue)
      async handle(
        @TaskPayload() task: { mode: string },
        @TaskContext() message: TaskMessage,
      ): Promise<void> {
        log.push(`${task.mode}:${message.attempt}`);
        if (task.mode === 'ack') {
          await message.ack();
          throw new Error('after ack: ignored');
        }
        if (task.mode === 'retry' && message.attempt === 1) return message.retry({ delayMs: 30 });
        if (task.mode === 'reject') return message.reject('not for us');
      }
    }
    const started = await app([Worker]);
    const taskQueue = started.get(TaskQueue);
    for (const mode of ['ack', 'retry', 'reject']) await taskQueue.enqueue(queue, { mode });
    const dead = await takeFrom(`${queue}.dlq`);
    await waitFor(() => log.includes('retry:2'));
    await pause(200);
    expect(log.sort()).toEqual(['ack:1', 'reject:1', 'retry:1', 'retry:2']);
    expect(JSON.parse(dead.body.toString())).toEqual({ mode: 'reject' });
    expect(dead.properties.headers?.[WireHeaders.REASON]).toBe('rejected');
    expect(dead.properties.headers?.[WireHeaders.ERROR]).toBe('not for us');
    expect(await h.fixture.messageCount(`${queue}.dlq`)).toBe(0);
  });

  it('fans an event out to every listener, and once to each named (competing) queue', async () => {
    const exchange = name('events');
    const shared = name('events-shared');
    const got: Record<string, number[]> = { a: [], b: [], c: [], shared: [] };
    const listeners = (keys: string[]) => {
      @Injectable()
      class Listener {
        @EventSubscriber(exchange)
        one(event: { n: number }): void {
          got[keys[0]].push(event.n);
        }
        @EventSubscriber(exchange, { queue: shared })
        competing(event: { n: number }): void {
          got.shared.push(event.n);
        }
      }
      @Injectable()
      class Second {
        @EventSubscriber(exchange)
        two(event: { n: number }): void {
          if (keys[1]) got[keys[1]].push(event.n);
        }
      }
      return [Listener, Second];
    };
    const first = await app(listeners(['a', 'b']));
    await app(listeners(['c']));
    for (let n = 0; n < 5; n++) await first.get(TaskQueue).publish(exchange, { n });
    await waitFor(
      () => got.a.length === 5 && got.b.length === 5 && got.c.length === 5 && got.shared.length === 5,
    );
    await pause(100);
    expect(got.a).toEqual([0, 1, 2, 3, 4]);
    expect(got.b).toEqual([0, 1, 2, 3, 4]);
    expect(got.c).toEqual([0, 1, 2, 3, 4]);
    expect([...got.shared].sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it("answers request() with the handler's return value, and times out with RequestTimeoutError", async () => {
    const queue = name('rpc');
    const silent = name('rpc-silent');
    const failing = name('rpc-failing');
    @Injectable()
    class Calculator {
      @TaskHandler(queue, { concurrency: 4 })
      sum(input: { values: number[] }): { sum: number } {
        return { sum: input.values.reduce((a, b) => a + b, 0) };
      }
      @TaskHandler(failing, { retry: false, deadLetter: false })
      fail(): never {
        throw new RangeError('values out of range');
      }
    }
    const started = await app([Calculator]);
    const taskQueue = started.get(TaskQueue);
    const replies = await Promise.all(
      [1, 2, 3].map((n) => taskQueue.request<{ sum: number }>(queue, { values: [n, n] })),
    );
    expect(replies).toEqual([{ sum: 2 }, { sum: 4 }, { sum: 6 }]);
    const timeout = taskQueue.request(silent, { values: [] }, { timeoutMs: 200 });
    await expect(timeout).rejects.toBeInstanceOf(RequestTimeoutError);
    await expect(timeout).rejects.toMatchObject({ destination: silent, timeoutMs: 200 });
    const failure = await taskQueue.request(failing, {}).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TaskFailedError);
    expect(failure).toMatchObject({ remoteName: 'RangeError', remoteMessage: 'values out of range' });
  });

  it('resolves enqueue only once the broker has the persistent message (publisher confirms), in the plain wire format', async () => {
    const queue = name('confirm');
    const started = await app([]);
    const taskQueue = started.get(TaskQueue);
    const ids = await Promise.all(
      Array.from({ length: 50 }, (_, n) =>
        taskQueue.enqueue(queue, { n }, { correlationId: `c-${n}`, headers: { n } }),
      ),
    );
    expect(await h.fixture.messageCount(queue)).toBe(50);
    const first = await takeFrom(queue);
    expect(first.persistent).toBe(true);
    expect(JSON.parse(first.body.toString())).toEqual({ n: 0 });
    expect(first.properties).toMatchObject({
      contentType: 'application/json',
      messageId: ids[0],
      correlationId: 'c-0',
    });
    expect(first.properties.headers).toMatchObject({ n: 0 });
  });

  describeLifecycleConformance(h, settings);
}
