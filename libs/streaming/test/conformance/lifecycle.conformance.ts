import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import {
  DatasetMessage,
  OnDatasetMessage,
  Offset,
  Payload,
  StreamingEvent,
  StreamingHealthIndicator,
} from '@databus/streaming';
import { ConformanceTarget, dataset, startApp } from './harness';
import { delay, indexes, produceNumbered, range, Recorded, recordingHandler, waitUntil } from './helpers';

/** Graceful drain on shutdown, the consumer-group channel verbs, and reconnect after a broker restart. */
export function lifecycleConformance(target: ConformanceTarget): void {
  describe('graceful shutdown', () => {
    it('waits for an in-flight handler, commits it, and a restarted app does not see it again', async () => {
      const url = target.url();
      const ds = dataset('drain');
      const group = dataset('g');
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let finished = false;
      const seen1: Recorded[] = [];
      const app1 = await startApp(target, url, {
        providers: [
          recordingHandler(ds, { group, batch: 1 }, seen1, async () => {
            await gate;
            finished = true;
          }),
        ],
      });
      await delay(200);
      await produceNumbered(app1.channel, ds, 1);
      await waitUntil(target, () => seen1.length === 1, 'the handler to start');
      const closing = app1.close();
      await delay(100);
      expect(finished).toBe(false);
      release();
      await closing;
      expect(finished).toBe(true);

      await expectOnlyNewMessages(target, url, ds, group);
    });

    it("finishes an in-flight handler and commits it before a user provider's onModuleDestroy closes its pool", async () => {
      const url = target.url();
      const ds = dataset('pool');
      const group = dataset('g');
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
      class Store {
        constructor(@Inject(Pool) private readonly pool: Pool) {}
        @OnDatasetMessage(ds, { group, batch: 1 })
        async handle(@Payload() payload: { i: number }): Promise<void> {
          order.push(`handler ${payload.i} started`);
          await delay(800);
          order.push(`handler ${payload.i} wrote to ${this.pool.open ? 'an open' : 'a closed'} pool`);
        }
      }
      const app1 = await startApp(target, url, { providers: [Pool, Store] });
      await delay(200);
      await produceNumbered(app1.channel, ds, 1);
      await waitUntil(target, () => order.length === 1, 'the handler to start');
      await delay(300);
      await app1.close();
      expect(order).toEqual(['handler 0 started', 'handler 0 wrote to an open pool', 'pool closed']);

      // Its position was committed.
      await expectOnlyNewMessages(target, url, ds, group);
    });

    it('abandons a handler that outlives shutdownTimeoutMs without losing its message', async () => {
      const url = target.url();
      const ds = dataset('abandon');
      const group = dataset('g');
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const seen1: Recorded[] = [];
      const app1 = await startApp(target, url, {
        options: { shutdownTimeoutMs: 100 },
        providers: [recordingHandler(ds, { group, batch: 1 }, seen1, () => gate)],
      });
      await delay(200);
      await produceNumbered(app1.channel, ds, 1);
      await waitUntil(target, () => seen1.length === 1, 'the handler to start');
      await app1.close();
      release();
      const seen2: Recorded[] = [];
      const app2 = await startApp(target, url, {
        providers: [recordingHandler(ds, { group, batch: 1 }, seen2)],
      });
      try {
        if (!app2.channel.capabilities.durableGroups) return;
        await waitUntil(target, () => seen2.length >= 1, 'the redelivery', 2);
        expect(seen2[0].payload).toEqual({ i: 0 });
      } finally {
        await app2.close();
      }
    });
  });

  describe('consumer-group channel', () => {
    it('consume / commit / reset / run / stop / destroy', async () => {
      const app = await startApp(target, target.url());
      const ds = dataset('channel');
      const channel = app.channel.open({ group: dataset('g'), datasets: [ds], batch: 10, maxWaitMs: 300 });
      try {
        await channel.create();
        await delay(200);
        await produceNumbered(app.channel, ds, 3);
        await delay(200);
        const first = await collect(() => channel.consume(), 3, target);
        expect(indexes(first)).toEqual(range(0, 3));
        await channel.reset();
        const again = await collect(() => channel.consume(), 3, target);
        expect(indexes(again)).toEqual(range(0, 3));
        await channel.commit();
        await channel.produce(ds, { i: 3 });
        const batches: number[][] = [];
        await channel.run(
          (messages) => {
            batches.push(indexes(messages));
            return false;
          },
          { waitBetweenQueriesMs: 50 },
        );
        expect(batches).toEqual([[3]]);
        const running = channel.run(() => true, { waitBetweenQueriesMs: 50 });
        await delay(100);
        await channel.stop();
        await running;
        await channel.destroy();
        await expect(channel.consume()).rejects.toThrow(/destroyed/);
      } finally {
        await channel.destroy();
        await app.close();
      }
    });
  });

  // Only targets whose broker a test can restart (not the in-process memory broker).
  if (!target.restartBroker) return;
  const restartBroker = target.restartBroker.bind(target);
  describe('reconnect', () => {
    it('survives a broker restart mid-stream without losing a message', async () => {
      const ds = dataset('restart');
      const seen: Recorded[] = [];
      const app = await startApp(target, target.url(), {
        options: { produceTimeoutMs: 60_000 },
        providers: [recordingHandler(ds, { group: dataset('g'), batch: 10, offset: Offset.LATEST }, seen)],
      });
      const events: StreamingEvent[] = [];
      app.channel.onEvent((e) => events.push(e));
      const health = app.module.get(StreamingHealthIndicator);
      try {
        await delay(300);
        const total = 300;
        const producing = (async () => {
          for (let i = 0; i < total; i++) {
            for (;;) {
              try {
                await app.channel.produce(ds, { i });
                break;
              } catch {
                await delay(200); // a clear TemporaryError during the outage: try the same message again
              }
            }
            if (i % 10 === 0) await delay(10);
          }
        })();
        await waitUntil(target, () => seen.length >= 50, 'the first messages');
        await restartBroker();
        await producing;
        await waitUntil(target, () => indexes(seen).length === total, 'every message after the restart', 6);
        expect(indexes(seen)).toEqual(range(0, total));
        // The outage was visible (events, health), not silent.
        expect(
          events.some(
            (e) => e.type === 'disconnected' || e.type === 'reconnecting' || e.type === 'resubscribing',
          ),
        ).toBe(true);
        await waitUntil(
          target,
          () => health.check('s').s.status === 'up' && !health.check('s').s.degraded,
          'health back to up',
        );
      } finally {
        await app.close();
      }
    }, 180_000);
  });
}

/** A restarted member of `group` gets only what is produced after the first message (`{ i: 0 }`): it was committed. */
async function expectOnlyNewMessages(
  target: ConformanceTarget,
  url: string,
  ds: string,
  group: string,
): Promise<void> {
  const seen: Recorded[] = [];
  const app = await startApp(target, url, { providers: [recordingHandler(ds, { group, batch: 1 }, seen)] });
  try {
    await delay(200);
    await produceNumbered(app.channel, ds, 1, { from: 1 });
    await waitUntil(target, () => seen.length >= 1, 'the next message');
    await delay(300);
    expect(indexes(seen)).toEqual([1]);
  } finally {
    await app.close();
  }
}

async function collect(
  consume: () => Promise<DatasetMessage[]>,
  count: number,
  target: ConformanceTarget,
): Promise<DatasetMessage[]> {
  const out: DatasetMessage[] = [];
  const deadline = Date.now() + (target.deliveryTimeoutMs ?? 10_000);
  while (out.length < count && Date.now() < deadline) out.push(...(await consume()));
  return out;
}
