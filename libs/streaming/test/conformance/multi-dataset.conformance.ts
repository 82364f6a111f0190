import {
  ConfigurationError,
  DatabusHeaders,
  DatasetMessage,
  Offset,
  StreamingHandlerRegistry,
} from '@databus/streaming';
import { ConformanceTarget, dataset, startApp } from './harness';
import { delay, drainInto, range, Recorded, recordingHandler, waitUntil } from './helpers';

/** `(dataset, i)` pairs a handler saw, sorted. */
const pairs = (seen: Recorded[]): string[] => seen.map((r) => `${r.message.dataset}#${r.payload.i}`).sort();

/**
 * One handler for several datasets (`@OnDatasetMessage(['a', 'b'])`, the seed bus's `@application(topics=[…])`):
 * the message names its dataset; groups, retries and dead-letter work per dataset.
 */
export function multiDatasetConformance(target: ConformanceTarget): void {
  describe('one handler for several datasets', () => {
    it('receives every dataset, names the dataset, and shares the group between members', async () => {
      const url = target.url();
      const [a, b] = [dataset('multi-a'), dataset('multi-b')];
      const group = dataset('g');
      const one: Recorded[] = [];
      const two: Recorded[] = [];
      const member = (seen: Recorded[]) => recordingHandler([a, b], { group, offset: Offset.LATEST }, seen);
      const app1 = await startApp(target, url, { providers: [member(one)] });
      const app2 = await startApp(target, url, { providers: [member(two)] });
      try {
        expect(
          app1
            .get(StreamingHandlerRegistry)
            .list()
            .map((h) => [h.id, h.dataset, h.group]),
        ).toEqual([
          [`RecordingHandler.handle[${a}]`, a, group],
          [`RecordingHandler.handle[${b}]`, b, group],
        ]);
        await delay(300);
        await app1.channel.produce(
          range(0, 20).map((i) => ({
            dataset: i % 2 ? b : a,
            value: { i, ds: i % 2 ? b : a },
            key: `k${i % 3}`,
          })),
        );
        await waitUntil(target, () => one.length + two.length >= 20, '20 messages over both members');
        await delay(300);
        const all = [...one, ...two];
        expect(pairs(all)).toEqual(
          range(0, 20)
            .map((i) => `${i % 2 ? b : a}#${i}`)
            .sort(),
        );
        for (const r of all) expect(r.message.dataset).toBe(r.payload.ds);
      } finally {
        await Promise.all([app1.close(), app2.close()]);
      }
    });

    it('retries and dead-letters per dataset, each to its own dead-letter dataset', async () => {
      const [a, b] = [dataset('multi-a'), dataset('multi-b')];
      const seen: Recorded[] = [];
      const handler = recordingHandler(
        [a, b],
        { batch: 1, retry: { attempts: 2, backoff: { initialMs: 10, maxMs: 20 } } },
        seen,
        (payload) => {
          if (payload.fail) throw new Error(`cannot store ${String(payload.i)}`);
        },
      );
      const app = await startApp(target, target.url(), { providers: [handler] });
      const dead: Record<string, DatasetMessage[]> = { [a]: [], [b]: [] };
      const dlqSubs = await Promise.all(
        [a, b].map((ds) => app.channel.subscribe(`${ds}.dlq`, { offset: Offset.LATEST, batch: 1 })),
      );
      const draining = dlqSubs.map((sub, k) => drainInto(sub, dead[[a, b][k]]));
      try {
        await delay(300);
        await app.channel.produce([
          { dataset: a, value: { i: 0, fail: true } },
          { dataset: b, value: { i: 1, fail: true } },
          { dataset: a, value: { i: 2 } },
          { dataset: b, value: { i: 3 } },
        ]);
        await waitUntil(
          target,
          () =>
            dead[a].length === 1 && dead[b].length === 1 && seen.filter((r) => !r.payload.fail).length === 2,
          'one dead-letter per dataset and the healthy messages',
        );
        expect(dead[a][0].json()).toEqual({ i: 0, fail: true });
        expect(dead[a][0].headers[DatabusHeaders.SOURCE_DATASET]).toBe(a);
        expect(dead[b][0].json()).toEqual({ i: 1, fail: true });
        expect(dead[b][0].headers[DatabusHeaders.SOURCE_DATASET]).toBe(b);
        expect(dead[b][0].headers[DatabusHeaders.ERROR_MESSAGE]).toContain('cannot store 1');
        expect(pairs(seen.filter((r) => r.payload.fail))).toEqual([`${a}#0`, `${a}#0`, `${b}#1`, `${b}#1`]);
        expect(pairs(seen.filter((r) => !r.payload.fail))).toEqual([`${a}#2`, `${b}#3`]);
      } finally {
        await Promise.all(dlqSubs.map((s) => s.close()));
        await Promise.all(draining);
        await app.close();
      }
    });

    it('refuses an empty or repeated dataset list at bootstrap, naming the method', async () => {
      const a = dataset('multi-a');
      const repeated = startApp(target, target.url(), { providers: [recordingHandler([a, a], {}, [])] });
      await expect(repeated).rejects.toBeInstanceOf(ConfigurationError);
      await expect(repeated).rejects.toThrow(/RecordingHandler\.handle: datasets\[1\]/);
      const empty = startApp(target, target.url(), { providers: [recordingHandler([], {}, [])] });
      await expect(empty).rejects.toThrow(/RecordingHandler\.handle: datasets/);
    });
  });
}
