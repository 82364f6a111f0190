import { Offset } from '@databus/streaming';
import { ConformanceTarget, dataset, startApp } from './harness';
import {
  delay,
  indexes,
  produceNumbered,
  range,
  Recorded,
  recordingHandler,
  take,
  waitUntil,
} from './helpers';

/** Consumer groups: competing members share a group's messages; separate groups each get all of them. */
export function groupsConformance(target: ConformanceTarget): void {
  describe('consumer groups', () => {
    it('members of one group together receive each message once; another group receives all', async () => {
      const url = target.url();
      const ds = dataset('groups');
      const a: Recorded[] = [];
      const b: Recorded[] = [];
      const other: Recorded[] = [];
      const member = (seen: Recorded[]) =>
        recordingHandler(ds, { group: 'workers', offset: Offset.LATEST, batch: 5 }, seen);
      const app1 = await startApp(target, url, { providers: [member(a)] });
      const app2 = await startApp(target, url, {
        providers: [member(b), recordingHandler(ds, { group: 'audit', batch: 5 }, other)],
      });
      try {
        await delay(300);
        await produceNumbered(app1.channel, ds, 30, { key: (i) => `k${i % 7}` });
        await waitUntil(
          target,
          () => indexes([...a, ...b]).length === 30 && indexes(other).length === 30,
          'both groups to receive 30',
        );
        await delay(300);
        expect(indexes([...a, ...b])).toEqual(range(0, 30));
        expect(a.length + b.length).toBe(30);
        expect(indexes(other)).toEqual(range(0, 30));
        expect(other.length).toBe(30);
      } finally {
        await Promise.all([app1.close(), app2.close()]);
      }
    });
  });

  describe('durable groups', () => {
    it('a group resumes after an application restart where it left off, whatever offset says', async () => {
      const url = target.url();
      const ds = dataset('durable');
      const group = dataset('g');
      const app1 = await startApp(target, url);
      if (!app1.channel.capabilities.durableGroups) return app1.close();
      // Create the group (and, on session-based brokers, its session) before producing.
      const created = await app1.channel.subscribe(ds, { group, offset: Offset.LATEST, batch: 1 });
      await delay(200);
      await created.close();
      await produceNumbered(app1.channel, ds, 10);
      const sub1 = await app1.channel.subscribe(ds, {
        group,
        offset: Offset.LATEST,
        batch: 1,
        prefetch: 10,
        autoCommit: false,
      });
      const first = await take(sub1, 4);
      await sub1.commit();
      await app1.close();
      expect(indexes(first)).toEqual(range(0, 4));

      const app2 = await startApp(target, url);
      try {
        const sub2 = await app2.channel.subscribe(ds, { group, offset: Offset.LATEST, batch: 2 });
        const rest = await take(sub2, 6);
        await sub2.close();
        expect(indexes(rest)).toEqual(range(4, 10));
      } finally {
        await app2.close();
      }
    });

    it('handlers of a durable group get messages produced while the application was down', async () => {
      const url = target.url();
      const ds = dataset('offline');
      const group = dataset('g');
      const seen1: Recorded[] = [];
      const app1 = await startApp(target, url, {
        providers: [recordingHandler(ds, { group, batch: 1 }, seen1)],
      });
      if (!app1.channel.capabilities.durableGroups) return app1.close();
      await delay(200);
      await produceNumbered(app1.channel, ds, 3);
      await waitUntil(target, () => seen1.length >= 3, 'first three');
      await app1.close();

      const producer = await startApp(target, url, { options: { handlers: false } });
      await produceNumbered(producer.channel, ds, 3, { from: 3 });
      await producer.close();

      const seen2: Recorded[] = [];
      const app2 = await startApp(target, url, {
        providers: [recordingHandler(ds, { group, batch: 1 }, seen2)],
      });
      try {
        await waitUntil(target, () => indexes(seen2).includes(5), 'the messages produced while down');
        expect(indexes(seen2)).toEqual([3, 4, 5]);
      } finally {
        await app2.close();
      }
    });
  });
}
