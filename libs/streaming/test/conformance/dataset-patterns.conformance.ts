import { randomUUID } from 'node:crypto';
import {
  ConfigurationError,
  ConsumerGroupChannel,
  DatabusHeaders,
  DatasetMessage,
  Offset,
  StreamingHandlerRegistry,
  UnsupportedFeatureError,
} from '@databus/streaming';
import { ConformanceTarget, startApp, TestApp } from './harness';
import { delay, drainInto, Recorded, recordingHandler, waitUntil } from './helpers';

/** A fresh dataset tree per test: `<root>.a.temp`, `<root>.b.temp` match `<root>.*.temp`; `<root>.a.hum` does not. */
function tree(): { pattern: string; a: string; b: string; other: string } {
  const root = `wc-${randomUUID().slice(0, 8)}`;
  return { pattern: `${root}.*.temp`, a: `${root}.a.temp`, b: `${root}.b.temp`, other: `${root}.a.hum` };
}

/** Creates the datasets with one message each (read from the start where the transport keeps history). */
async function seed(app: TestApp, datasets: string[], tag: string): Promise<void> {
  await app.channel.produce(datasets.map((ds) => ({ dataset: ds, value: { i: 0, ds, tag } })));
}

/** Message `i` of each dataset, as `<dataset>#<i>`, sorted. */
const tags = (entries: Array<[string, number]>): string[] => entries.map(([ds, i]) => `${ds}#${i}`).sort();
const tagOf = (m: DatasetMessage): string => `${m.dataset}#${m.json<{ i: number }>().i}`;

/** Module options of these tests: patterns list again often, so a new dataset joins within the wait bounds. */
const FAST_REFRESH = { options: { patternRefreshMs: 100 } };

/**
 * Dataset patterns (`@OnDatasetMessage({ pattern })`, `subscribe({ pattern })`, `open({ datasets: [{ pattern }]
 * })`): on a transport declaring `capabilities.datasetPatterns`, every matching dataset is consumed (those
 * created after the subscription started too, and a pattern matching nothing yet waits for them), each
 * message names its own dataset and fails into its own dataset's dead-letter dataset; elsewhere the pattern
 * is refused up front with `UnsupportedFeatureError` naming the transport and the feature. Where the
 * transport keeps no history (MQTT), only messages produced after the subscription started are expected.
 * Producing to a pattern is refused everywhere.
 */
export function datasetPatternsConformance(target: ConformanceTarget): void {
  describe('dataset patterns', () => {
    it('subscribe({ pattern }) receives the matching datasets, names each, and not the others', async () => {
      const { pattern, a, b, other } = tree();
      const app = await startApp(target, target.url());
      try {
        if (!app.channel.capabilities.datasetPatterns) {
          const refused = app.channel.subscribe({ pattern });
          await expect(refused).rejects.toBeInstanceOf(UnsupportedFeatureError);
          await expect(refused).rejects.toMatchObject({
            transport: app.channel.transportName,
            feature: 'dataset patterns',
          });
          return;
        }
        const history = app.channel.capabilities.history;
        if (history) await seed(app, [a, b, other], 'before');
        const sub = await app.channel.subscribe({ pattern }, { offset: Offset.BEGIN, batch: 5 });
        const got: DatasetMessage[] = [];
        const draining = drainInto(sub, got);
        try {
          if (history)
            await waitUntil(target, () => got.length >= 2, 'the message stored in each matching dataset');
          await app.channel.produce([
            { dataset: a, value: { i: 1, ds: a } },
            { dataset: other, value: { i: 1, ds: other } },
            { dataset: b, value: { i: 1, ds: b } },
          ]);
          const expected = tags(
            history
              ? [
                  [a, 0],
                  [a, 1],
                  [b, 0],
                  [b, 1],
                ]
              : [
                  [a, 1],
                  [b, 1],
                ],
          );
          await waitUntil(
            target,
            () => got.length >= expected.length,
            'the messages produced after subscribing',
          );
          await delay(300);
          expect(got.map(tagOf).sort()).toEqual(expected);
          for (const m of got) expect(m.dataset).toBe(m.json<{ ds: string }>().ds);
          expect(sub.dataset).toBe(pattern);
        } finally {
          await sub.close();
          await draining;
        }
      } finally {
        await app.close();
      }
    });

    it('@OnDatasetMessage({ pattern }) retries per message and dead-letters into each dataset’s own .dlq', async () => {
      const { pattern, a, b, other } = tree();
      const url = target.url();
      const producer = await startApp(target, url);
      const seen: Recorded[] = [];
      const handler = recordingHandler(
        { pattern },
        { offset: Offset.BEGIN, batch: 1, retry: { attempts: 2, backoff: { initialMs: 10, maxMs: 20 } } },
        seen,
        (payload) => {
          if (payload.fail) throw new Error(`cannot store ${String(payload.i)}`);
        },
      );
      try {
        if (!producer.channel.capabilities.datasetPatterns) {
          const refused = startApp(target, url, { providers: [handler] });
          await expect(refused).rejects.toBeInstanceOf(UnsupportedFeatureError);
          await expect(refused).rejects.toMatchObject({
            transport: producer.channel.transportName,
            feature: 'dataset patterns',
          });
          await expect(refused).rejects.toThrow(/pattern.*RecordingHandler\.handle/);
          return;
        }
        const history = producer.channel.capabilities.history;
        if (history) await seed(producer, [a, b, other], 'seed');
        const dead: Record<string, DatasetMessage[]> = { [a]: [], [b]: [] };
        const dlqSubs = await Promise.all(
          [a, b].map((ds) => producer.channel.subscribe(`${ds}.dlq`, { offset: Offset.BEGIN, batch: 1 })),
        );
        const draining = dlqSubs.map((sub, k) => drainInto(sub, dead[[a, b][k]]));
        const app = await startApp(target, url, { providers: [handler] });
        try {
          expect(
            app
              .get(StreamingHandlerRegistry)
              .list()
              .map((h) => [h.id, h.dataset]),
          ).toEqual([['RecordingHandler.handle', pattern]]);
          if (history)
            await waitUntil(target, () => seen.length >= 2, 'the seeded message of each matching dataset');
          else await seed(producer, [a, b, other], 'seed');
          await producer.channel.produce([
            { dataset: b, value: { i: 1, fail: true } },
            { dataset: a, value: { i: 2 } },
          ]);
          await waitUntil(
            target,
            () => dead[b].length === 1 && seen.some((r) => r.payload.i === 2),
            'the failed message in the dead-letter dataset of its own dataset, and the healthy one',
          );
          await delay(300);
          expect(dead[a]).toHaveLength(0);
          expect(dead[b][0].json()).toEqual({ i: 1, fail: true });
          expect(dead[b][0].headers[DatabusHeaders.SOURCE_DATASET]).toBe(b);
          expect(dead[b][0].headers[DatabusHeaders.ERROR_MESSAGE]).toContain('cannot store 1');
          expect(seen.filter((r) => r.payload.fail).map((r) => r.message.dataset)).toEqual([b, b]);
          expect(seen.some((r) => r.message.dataset === other)).toBe(false);
          expect(
            seen
              .filter((r) => r.payload.i === 0)
              .map((r) => r.message.dataset)
              .sort(),
          ).toEqual([a, b].sort());
        } finally {
          await app.close();
          await Promise.all(dlqSubs.map((s) => s.close()));
          await Promise.all(draining);
        }
      } finally {
        await producer.close();
      }
    });

    it('refuses producing to a pattern and a malformed pattern, naming the option', async () => {
      const { pattern, a } = tree();
      const app = await startApp(target, target.url());
      try {
        await expect(app.channel.produce(pattern, { i: 0 })).rejects.toThrow(ConfigurationError);
        await expect(app.channel.produce(pattern, { i: 0 })).rejects.toThrow(/produce: dataset/);
        await expect(app.channel.produce({ pattern } as unknown as string, { i: 0 })).rejects.toMatchObject({
          option: 'produce: dataset',
        });
        await expect(app.channel.subscribe({ pattern: `${a}.>.x` })).rejects.toMatchObject({
          option: 'subscribe({ pattern }): pattern',
        });
        let malformed: unknown;
        try {
          app.channel.open({ group: 'g', datasets: [{ pattern: `${a}.>.x` }] });
        } catch (error) {
          malformed = error;
        }
        expect(malformed).toBeInstanceOf(ConfigurationError);
        expect(malformed).toMatchObject({ option: 'open: datasets[0]: pattern' });
      } finally {
        await app.close();
      }
    });

    it('picks up matching datasets created after subscribe({ pattern }) started, from their first message', async () => {
      const { pattern, a, b, other } = tree();
      const app = await startApp(target, target.url(), FAST_REFRESH);
      try {
        if (!app.channel.capabilities.datasetPatterns) return; // refused: see the first test
        // Nothing matches yet: the subscription starts anyway and waits for matching datasets.
        const sub = await app.channel.subscribe({ pattern }, { batch: 5 });
        const got: DatasetMessage[] = [];
        const draining = drainInto(sub, got);
        try {
          await app.channel.produce([
            { dataset: other, value: { i: 0 } },
            { dataset: a, value: { i: 0 } },
          ]);
          await waitUntil(
            target,
            () => got.length >= 1,
            `the first message of ${a}, created after subscribing`,
          );
          await app.channel.produce(b, { i: 0 });
          await app.channel.produce(a, { i: 1 });
          await waitUntil(target, () => got.length >= 3, `the first message of ${b}, created later still`);
          await delay(300);
          expect(got.map(tagOf).sort()).toEqual(
            tags([
              [a, 0],
              [a, 1],
              [b, 0],
            ]),
          );
        } finally {
          await sub.close();
          await draining;
        }
      } finally {
        await app.close();
      }
    });

    it('@OnDatasetMessage({ pattern }) matching nothing at bootstrap starts, then consumes datasets as they appear', async () => {
      const { pattern, a, b, other } = tree();
      const url = target.url();
      const seen: Recorded[] = [];
      const handler = recordingHandler({ pattern }, { batch: 1 }, seen);
      const producer = await startApp(target, url);
      try {
        if (!producer.channel.capabilities.datasetPatterns) return; // refused: see the second test
        const app = await startApp(target, url, { providers: [handler], ...FAST_REFRESH });
        try {
          await producer.channel.produce([
            { dataset: a, value: { i: 0 } },
            { dataset: other, value: { i: 0 } },
          ]);
          await waitUntil(target, () => seen.length >= 1, `the first message of ${a}`);
          await producer.channel.produce(b, { i: 0 });
          await waitUntil(target, () => seen.length >= 2, `the first message of ${b}`);
          await delay(300);
          expect(seen.map((r) => tagOf(r.message)).sort()).toEqual(
            tags([
              [a, 0],
              [b, 0],
            ]),
          );
        } finally {
          await app.close();
        }
      } finally {
        await producer.close();
      }
    });

    it('open({ group, datasets: [{ pattern }] }) consumes the matching datasets and commits them for the group', async () => {
      const { pattern, a, b, other } = tree();
      const group = `g-${randomUUID().slice(0, 8)}`;
      const app = await startApp(target, target.url(), FAST_REFRESH);
      const offset = app.channel.capabilities.history ? Offset.BEGIN : Offset.LATEST;
      const open = () =>
        app.channel.open({ group, datasets: [{ pattern }], offset, batch: 10, maxWaitMs: 300 });
      try {
        if (!app.channel.capabilities.datasetPatterns) {
          const refused = open().create();
          await expect(refused).rejects.toBeInstanceOf(UnsupportedFeatureError);
          await expect(refused).rejects.toMatchObject({ feature: 'dataset patterns' });
          return;
        }
        const first = open();
        await first.create();
        await app.channel.produce([
          { dataset: a, value: { i: 0 } },
          { dataset: other, value: { i: 0 } },
          { dataset: b, value: { i: 0 } },
        ]);
        const got = await consumeUntil(target, first, 2);
        expect(got.sort()).toEqual(
          tags([
            [a, 0],
            [b, 0],
          ]),
        );
        await first.commit();
        await first.destroy();
        const second = open();
        await second.create();
        await app.channel.produce(a, { i: 1 });
        // The group committed a#0 and b#0: only the new message comes.
        const again = await consumeUntil(target, second, 1);
        await delay(300);
        again.push(...(await second.consume()).map(tagOf));
        expect(again).toEqual(tags([[a, 1]]));
        await second.destroy();
      } finally {
        await app.close();
      }
    });
  });
}

/** Calls `consume()` until `count` messages came (their `<dataset>#<i>`), failing after the delivery bound. */
async function consumeUntil(
  target: ConformanceTarget,
  channel: ConsumerGroupChannel,
  count: number,
): Promise<string[]> {
  const got: string[] = [];
  const deadline = Date.now() + (target.deliveryTimeoutMs ?? 10_000);
  while (got.length < count) {
    if (Date.now() > deadline)
      throw new Error(`Expected ${count} message(s) from the channel, received ${got.join(', ') || 'none'}.`);
    got.push(...(await channel.consume()).map(tagOf));
  }
  return got;
}
