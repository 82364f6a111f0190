import { Offset, PrefetchLimitError } from '@databus/streaming';
import { STREAMING_CONNECTION } from '../../src/streaming.constants';
import { StreamingConnection } from '../../src/connection/streaming-connection';
import { ConformanceTarget, dataset, startApp, TestApp } from './harness';
import { delay, indexes, produceNumbered, range, Recorded, recordingHandler, waitUntil } from './helpers';

/** Batching and max-wait, the backpressure bound, and concurrency with per-key order. */
export function flowConformance(target: ConformanceTarget): void {
  describe('batching and max wait', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startApp(target, target.url());
    });
    afterAll(() => app?.close());

    it('a fetch returns at most batch messages, and what there is after maxWaitMs', async () => {
      const ds = dataset('batch');
      const channel = app.channel.open({ group: dataset('g'), datasets: ds, batch: 5, maxWaitMs: 500 });
      try {
        await channel.create();
        await delay(200);
        await produceNumbered(app.channel, ds, 12);
        await delay(300);
        const first = await channel.consume();
        expect(first).toHaveLength(5);
        const second = await channel.consume();
        expect(second).toHaveLength(5);
        const third = await channel.consume();
        expect(third.length).toBeLessThanOrEqual(5);
        const rest = third.length === 2 ? [] : await channel.consume();
        expect(indexes([...first, ...second, ...third, ...rest])).toEqual(range(0, 12));
        await channel.commit();
        const empty = await channel.consume();
        expect(empty).toEqual([]);
      } finally {
        await channel.destroy();
      }
    });
  });

  describe('backpressure', () => {
    it('a transport delivers nothing more while prefetch messages are unacknowledged', async () => {
      const app = await startApp(target, target.url());
      const transport = app.module.get<StreamingConnection>(STREAMING_CONNECTION).transport;
      const ds = dataset('prefetch');
      const sub = await transport.subscribe({
        dataset: ds,
        group: dataset('g'),
        start: Offset.LATEST,
        prefetch: 5,
        groupExpiryMs: 3600_000,
      });
      try {
        await delay(200);
        await produceNumbered(app.channel, ds, 20);
        const held = [];
        const deadline = Date.now() + (target.deliveryTimeoutMs ?? 10_000);
        while (held.length < 5 && Date.now() < deadline)
          held.push(...(await sub.fetch(5 - held.length, 200)));
        expect(held).toHaveLength(5);
        expect(await sub.fetch(5, 500)).toEqual([]);
        await sub.ack(held);
        const next = [];
        while (next.length < 5 && Date.now() < deadline + 10_000)
          next.push(...(await sub.fetch(5 - next.length, 200)));
        expect(next).toHaveLength(5);
        await sub.ack(next);
      } finally {
        await sub.close();
        await app.close();
      }
    });

    it('an iterator with autoCommit off stops at prefetch uncommitted messages instead of buffering more', async () => {
      const app = await startApp(target, target.url());
      const ds = dataset('window');
      const sub = await app.channel.subscribe(ds, {
        group: dataset('g'),
        batch: 2,
        prefetch: 4,
        autoCommit: false,
      });
      try {
        await delay(200);
        await produceNumbered(app.channel, ds, 10);
        const iterator = sub[Symbol.asyncIterator]();
        for (let n = 0; n < 4; n++) expect((await iterator.next()).done).toBe(false);
        await expect(iterator.next()).rejects.toBeInstanceOf(PrefetchLimitError);
        await sub.commit();
        expect((await iterator.next()).value.json()).toEqual({ i: 4 });
      } finally {
        await sub.close();
        await app.close();
      }
    });

    it('a slow handler never has more than concurrency messages running', async () => {
      const ds = dataset('slow');
      const seen: Recorded[] = [];
      let running = 0;
      let maxRunning = 0;
      const handler = recordingHandler(ds, { batch: 5, prefetch: 6, concurrency: 3 }, seen, async () => {
        maxRunning = Math.max(maxRunning, ++running);
        await delay(20);
        running--;
      });
      const app = await startApp(target, target.url(), { providers: [handler] });
      try {
        await delay(200);
        await produceNumbered(app.channel, ds, 30);
        await waitUntil(target, () => indexes(seen).length === 30, '30 handled', 3);
        expect(maxRunning).toBeLessThanOrEqual(3);
        expect(maxRunning).toBeGreaterThan(1);
      } finally {
        await app.close();
      }
    });
  });

  describe('concurrency with order', () => {
    it('runs handlers concurrently while messages with the same key stay in order', async () => {
      const ds = dataset('order');
      const seen: Recorded[] = [];
      let running = 0;
      let maxRunning = 0;
      const handler = recordingHandler(ds, { batch: 10, concurrency: 4 }, seen, async (payload) => {
        maxRunning = Math.max(maxRunning, ++running);
        await delay(5 + ((payload.i * 7) % 11));
        running--;
      });
      const app = await startApp(target, target.url(), { providers: [handler] });
      try {
        await delay(200);
        await app.channel.produceMany(
          ds,
          range(0, 40).map((i) => ({ value: { i, k: `k${i % 4}` }, key: `k${i % 4}` })),
        );
        await waitUntil(target, () => indexes(seen).length === 40, '40 handled', 3);
        for (const key of ['k0', 'k1', 'k2', 'k3']) {
          const order = seen.filter((r) => r.payload.k === key).map((r) => r.payload.i);
          expect(order).toEqual([...order].sort((x, y) => x - y));
        }
        expect(maxRunning).toBeGreaterThan(1);
        expect(maxRunning).toBeLessThanOrEqual(4);
      } finally {
        await app.close();
      }
    });
  });
}
