import { ConfigurationError, DatasetMessage, Offset } from '@databus/streaming';
import { ConformanceTarget, dataset, startApp, TestApp } from './harness';
import { delay, drainInto, waitUntil } from './helpers';

/** `produce(records)`: one call, a dataset, key and headers per record (the seed channel's produce). */
export function produceConformance(target: ConformanceTarget): void {
  describe('produce(records) to several datasets', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startApp(target, target.url());
    });
    afterAll(() => app?.close());

    it('delivers each record to its own dataset with its key and headers, in order per dataset', async () => {
      const [orders, audit] = [dataset('orders'), dataset('audit')];
      const subs = await Promise.all(
        [orders, audit].map((ds) =>
          app.channel.subscribe(ds, { group: dataset('g'), offset: Offset.LATEST }),
        ),
      );
      const got: Record<string, DatasetMessage[]> = { [orders]: [], [audit]: [] };
      const draining = [drainInto(subs[0], got[orders]), drainInto(subs[1], got[audit])];
      try {
        await delay(300);
        const results = await app.channel.produce([
          { dataset: orders, key: 'c-1', value: { i: 0 } },
          { dataset: audit, value: { i: 1 }, headers: { source: 'shop' } },
          { dataset: orders, key: 'c-1', value: { i: 2 } },
          { dataset: orders, key: 'c-2', value: { i: 3 } },
        ]);
        expect(results).toHaveLength(4);
        await waitUntil(target, () => got[orders].length >= 3 && got[audit].length >= 1, 'both datasets');
        await delay(200);
        const c1 = got[orders].filter((m) => m.key === 'c-1').map((m) => m.json<{ i: number }>().i);
        expect(c1).toEqual([0, 2]);
        expect(got[orders].map((m) => [m.dataset, m.json<{ i: number }>().i]).sort()).toEqual([
          [orders, 0],
          [orders, 2],
          [orders, 3],
        ]);
        expect(got[audit]).toHaveLength(1);
        expect(got[audit][0].dataset).toBe(audit);
        expect(got[audit][0].headers.source).toBe('shop');
        expect(got[audit][0].json()).toEqual({ i: 1 });
      } finally {
        await Promise.all(subs.map((s) => s.close()));
        await Promise.all(draining);
      }
    });

    it('refuses a record without a dataset before sending any, naming the record', async () => {
      const ds = dataset('checked');
      const sub = await app.channel.subscribe(ds, { group: dataset('g'), offset: Offset.LATEST });
      const got: DatasetMessage[] = [];
      const draining = drainInto(sub, got);
      try {
        await delay(300);
        const refused = app.channel.produce([
          { dataset: ds, value: { i: 0 } },
          { dataset: '', value: { i: 1 } },
        ]);
        await expect(refused).rejects.toBeInstanceOf(ConfigurationError);
        await expect(refused).rejects.toThrow(/records\[1\]\.dataset/);
        // The consumer-group channel offers the same call; its records arrive, the refused ones never did.
        const channel = app.channel.open({ group: dataset('g') });
        await channel.produce([{ dataset: ds, value: { i: 2 } }]);
        await channel.destroy();
        await waitUntil(target, () => got.length >= 1, 'the channel-produced record');
        await delay(300);
        expect(got.map((m) => m.json<{ i: number }>().i)).toEqual([2]);
      } finally {
        await sub.close();
        await draining;
      }
    });
  });
}
