import { NoCommittedPositionError, Offset, UnsupportedFeatureError } from '@databus/streaming';
import { ConformanceTarget, dataset, startApp, TestApp } from './harness';
import { DatasetMessage } from '@databus/streaming';
import { delay, drainInto, indexes, produceNumbered, range, recordingHandler, take } from './helpers';

/** Start positions (BEGIN, LATEST, sequence, time, none) and seek, or their bootstrap errors. */
export function positionsConformance(target: ConformanceTarget): void {
  describe('positions and seek', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startApp(target, target.url());
    });
    afterAll(() => app?.close());

    it('LATEST delivers only messages produced after subscribing', async () => {
      const ds = dataset('latest');
      await produceNumbered(app.channel, ds, 3);
      const sub = await app.channel.subscribe(ds, { offset: Offset.LATEST, batch: 1 });
      await delay(200);
      await produceNumbered(app.channel, ds, 3, { from: 3 });
      const got = await take(sub, 3);
      await sub.close();
      expect(indexes(got)).toEqual([3, 4, 5]);
    });

    it('BEGIN delivers the stored history first, in order', async () => {
      if (!app.channel.capabilities.history) return expectNoHistory(app);
      const ds = dataset('begin');
      await produceNumbered(app.channel, ds, 5);
      const sub = await app.channel.subscribe(ds, { offset: Offset.BEGIN, batch: 2 });
      const got = await take(sub, 5);
      await sub.close();
      expect(got.map((m) => m.json<{ i: number }>().i)).toEqual([0, 1, 2, 3, 4]);
      expect(got.map((m) => m.sequence)).toEqual([...got.map((m) => m.sequence)].sort((a, b) => a - b));
    });

    it('starts at a sequence number, or fails at subscribe with UnsupportedFeatureError', async () => {
      const ds = dataset('seq');
      if (!app.channel.capabilities.seekBySequence) {
        await expect(app.channel.subscribe(ds, { offset: Offset.sequence(1) })).rejects.toBeInstanceOf(
          UnsupportedFeatureError,
        );
        return;
      }
      await produceNumbered(app.channel, ds, 6);
      const first = await app.channel.subscribe(ds, { offset: Offset.BEGIN, batch: 6 });
      const all = await take(first, 6);
      await first.close();
      const sub = await app.channel.subscribe(ds, { offset: Offset.sequence(all[3].sequence), batch: 1 });
      const got = await take(sub, 3);
      await sub.close();
      expect(got.map((m) => m.json<{ i: number }>().i)).toEqual([3, 4, 5]);
    });

    it('starts at a point in time, or fails at subscribe with UnsupportedFeatureError', async () => {
      const ds = dataset('time');
      if (!app.channel.capabilities.seekByTime) {
        await expect(app.channel.subscribe(ds, { offset: Offset.time(new Date()) })).rejects.toBeInstanceOf(
          UnsupportedFeatureError,
        );
        return;
      }
      await produceNumbered(app.channel, ds, 3);
      await delay(1500); // brokers store timestamps with second precision
      const middle = new Date();
      await delay(1500);
      await produceNumbered(app.channel, ds, 3, { from: 3 });
      const sub = await app.channel.subscribe(ds, { offset: Offset.time(middle), batch: 1 });
      const got = await take(sub, 3);
      await sub.close();
      expect(got.map((m) => m.json<{ i: number }>().i)).toEqual([3, 4, 5]);
    });

    it('seek moves a live subscription back by sequence and by time', async () => {
      const ds = dataset('seek');
      const sub = await app.channel.subscribe(ds, { offset: Offset.LATEST, batch: 1 });
      if (!app.channel.capabilities.seek) {
        await expect(sub.seek(Offset.sequence(1))).rejects.toBeInstanceOf(UnsupportedFeatureError);
        await sub.close();
        return;
      }
      await delay(100);
      const start = new Date(Date.now() - 1500);
      await produceNumbered(app.channel, ds, 4);
      const firstPass = await take(sub, 4);
      await sub.seek(Offset.sequence(firstPass[1].sequence));
      const again = await take(sub, 3);
      expect(again.map((m) => m.json<{ i: number }>().i)).toEqual([1, 2, 3]);
      if (app.channel.capabilities.seekByTime) {
        await sub.seek(Offset.time(start));
        const fromTime = await take(sub, 4);
        expect(fromTime.map((m) => m.json<{ i: number }>().i)).toEqual([0, 1, 2, 3]);
      }
      await sub.close();
      await expect(sub.seek(Offset.BEGIN)).rejects.toThrow(/closed/);
    });

    it('offset "none" fails for a group without a committed position', async () => {
      if (!app.channel.capabilities.durableGroups) return;
      const ds = dataset('none');
      await expect(app.channel.subscribe(ds, { group: dataset('g'), offset: 'none' })).rejects.toBeInstanceOf(
        NoCommittedPositionError,
      );
    });

    it('a handler asking for an unsupported position fails the bootstrap, naming transport and feature', async () => {
      if (app.channel.capabilities.seekBySequence && app.channel.capabilities.seekByTime) return;
      const offset = app.channel.capabilities.seekBySequence ? Offset.time(new Date()) : Offset.sequence(5);
      const handler = recordingHandler(dataset('boot'), { offset }, []);
      await expect(startApp(target, target.url(), { providers: [handler] })).rejects.toThrow(
        UnsupportedFeatureError,
      );
    });
  });
}

/** Without history, BEGIN still subscribes (it means "no older than the subscription's own session"). */
async function expectNoHistory(app: TestApp): Promise<void> {
  const ds = dataset('nohist');
  const seen: DatasetMessage[] = [];
  const sub = await app.channel.subscribe(ds, { offset: Offset.BEGIN, batch: 1 });
  const drained = drainInto(sub, seen);
  await delay(200);
  await produceNumbered(app.channel, ds, 2);
  const deadline = Date.now() + 10_000;
  while (seen.length < 2 && Date.now() < deadline) await delay(20);
  await sub.close();
  await drained;
  expect(indexes(seen)).toEqual(range(0, 2));
}
