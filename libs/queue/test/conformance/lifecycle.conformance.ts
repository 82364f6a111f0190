import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import {
  EventSubscriber,
  TaskContext,
  TaskHandler,
  TaskMessage,
  TaskPayload,
  TaskQueue,
  TemporaryError,
} from '@databus/queue';
import { waitFor } from '@databus/testing';
import { ConformanceHarness, pause } from './fixture';
import type { ConformanceSettings } from './queue.conformance';

/**
 * Restart and shutdown semantics every backend must show: a broker restart mid-run loses nothing and
 * re-attaches every handler once; shutdown finishes running handlers (before user providers close) and
 * returns prefetched tasks. Run by `describeQueueConformance`.
 */
export function describeLifecycleConformance(h: ConformanceHarness, settings: ConformanceSettings): void {
  const { app, name } = h;

  it('survives a broker restart mid-run: nothing lost, every handler re-attached once, duplicates bounded and redelivered', async () => {
    const queue = name('restart');
    const exchange = name('restart-events');
    const events: number[] = [];
    const total = settings.restartTasks;
    const prefetch = settings.restartPrefetch;
    const counts = new Map<number, number>();
    let unmarkedDuplicates = 0;
    // Work stops at a fifth until the broker is down, so the restart always lands mid-run.
    let openGate = (): void => undefined;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    @Injectable()
    class Worker {
      @TaskHandler(queue, { concurrency: 10 })
      async handle(@TaskPayload() task: { id: number }, @TaskContext() message: TaskMessage): Promise<void> {
        const n = (counts.get(task.id) ?? 0) + 1;
        counts.set(task.id, n);
        if (n > 1 && !message.redelivered) unmarkedDuplicates++;
        if (counts.size > total / 5) await gate;
        await pause(1);
      }
      @EventSubscriber(exchange)
      onEvent(event: { n: number }): void {
        events.push(event.n);
      }
    }
    const producer = await app([], { publishTimeoutMs: 60_000 });
    const impatient = await app([], { publishTimeoutMs: 300 });
    const taskQueue = producer.get(TaskQueue);
    for (let start = 0; start < total; start += 1000)
      await Promise.all(
        Array.from({ length: Math.min(1000, total - start) }, (_, i) =>
          taskQueue.enqueue(queue, { id: start + i }),
        ),
      );
    await app([Worker], { prefetch });
    await waitFor(() => counts.size >= total / 5, { timeoutMs: 60_000, message: 'a fifth of the tasks' });
    let duringOutage: Promise<string> | undefined;
    let handledWhileDown = 0;
    await h.fixture.restartBroker(async () => {
      handledWhileDown = counts.size;
      openGate();
      await expect(impatient.get(TaskQueue).enqueue(queue, { id: -1 })).rejects.toBeInstanceOf(
        TemporaryError,
      );
      duringOutage = taskQueue.enqueue(queue, { id: total });
      duringOutage.catch(() => undefined);
    });
    await expect(duringOutage).resolves.toEqual(expect.any(String));
    // The exclusive, auto-named queue of the event subscriber was recreated and bound again.
    await waitFor(
      async () => {
        await taskQueue.publish(exchange, { n: 1 });
        return events.length > 0;
      },
      { timeoutMs: 30_000, intervalMs: 200, message: 'an event after the restart' },
    );
    await waitFor(() => counts.size >= total + 1, {
      timeoutMs: 120_000,
      message: `${total + 1} tasks handled`,
    });
    await pause(200);
    const duplicates = [...counts.values()].reduce((sum, n) => sum + n - 1, 0);
    // The restart really happened mid-run, not after the work was done.
    expect(handledWhileDown).toBeLessThan(total);
    expect(counts.size).toBe(total + 1);
    expect(counts.has(-1)).toBe(false);
    expect(duplicates).toBeLessThanOrEqual(prefetch);
    expect(unmarkedDuplicates).toBe(0);
    expect(await h.fixture.consumerCount(queue)).toBe(1);
    expect(await h.fixture.messageCount(queue)).toBe(0);
  }, 240_000);

  it("finishes a running handler and acks its task before a user provider's onModuleDestroy closes its pool", async () => {
    const queue = name('pool');
    const order: string[] = [];
    @Injectable()
    class Pool implements OnModuleDestroy {
      open = true;
      onModuleDestroy(): void {
        order.push('pool closed');
        this.open = false;
      }
    }
    @Injectable()
    class Worker {
      constructor(@Inject(Pool) private readonly pool: Pool) {}
      @TaskHandler(queue)
      async handle(task: { n: number }): Promise<void> {
        order.push(`task ${task.n} started`);
        await pause(800);
        order.push(`task ${task.n} wrote to ${this.pool.open ? 'an open' : 'a closed'} pool`);
      }
    }
    const worker = await app([Pool, Worker]);
    await worker.get(TaskQueue).enqueue(queue, { n: 0 });
    await waitFor(() => order.length === 1, { message: 'the handler to start' });
    await pause(300);
    await worker.close();
    h.closed(worker);
    expect(order).toEqual(['task 0 started', 'task 0 wrote to an open pool', 'pool closed']);
    // Acked before the connection closed: nothing went back to the queue.
    expect(await h.fixture.messageCount(queue)).toBe(0);
  });

  it('drains on shutdown: running handlers finish, prefetched ones go back to the queue', async () => {
    const queue = name('drain');
    let started = 0;
    let finished = 0;
    @Injectable()
    class Worker {
      @TaskHandler(queue, { concurrency: 3 })
      async handle(): Promise<void> {
        started++;
        await pause(300);
        finished++;
      }
    }
    const worker = await app([Worker], { prefetch: 10 });
    const producer = await app([]);
    for (let n = 0; n < 10; n++) await producer.get(TaskQueue).enqueue(queue, { n });
    await waitFor(() => started === 3);
    await worker.close();
    h.closed(worker);
    expect(finished).toBe(3);
    expect(started).toBe(3);
    await waitFor(async () => (await h.fixture.messageCount(queue)) === 7, {
      message: '7 tasks back in the queue',
    });
  });
}
