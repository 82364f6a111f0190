import { randomUUID } from 'node:crypto';
import {
  ConfigurationError,
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

/** Creates the datasets with one message each (a pattern matches the datasets that exist when it starts). */
async function seed(app: TestApp, datasets: string[], tag: string): Promise<void> {
  await app.channel.produce(datasets.map((ds) => ({ dataset: ds, value: { i: 0, ds, tag } })));
}

/**
 * Dataset patterns (`@OnDatasetMessage({ pattern })`, `subscribe({ pattern })`): on a transport declaring
 * `capabilities.datasetPatterns`, every matching dataset is consumed, each message names its own dataset
 * and fails into its own dataset's dead-letter dataset; elsewhere the pattern is refused up front with
 * `UnsupportedFeatureError` naming the transport and the feature. Producing to a pattern is refused everywhere.
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
        await seed(app, [a, b, other], 'before');
        const sub = await app.channel.subscribe({ pattern }, { offset: Offset.BEGIN, batch: 5 });
        const got: DatasetMessage[] = [];
        const draining = drainInto(sub, got);
        try {
          await waitUntil(target, () => got.length >= 2, 'the message stored in each matching dataset');
          await app.channel.produce([
            { dataset: a, value: { i: 1, ds: a } },
            { dataset: other, value: { i: 1, ds: other } },
            { dataset: b, value: { i: 1, ds: b } },
          ]);
          await waitUntil(target, () => got.length >= 4, 'the messages produced after subscribing');
          await delay(300);
          expect(got.map((m) => `${m.dataset}#${m.json<{ i: number }>().i}`).sort()).toEqual(
            [`${a}#0`, `${a}#1`, `${b}#0`, `${b}#1`].sort(),
          );
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
        await seed(producer, [a, b, other], 'seed');
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
          await waitUntil(target, () => seen.length >= 2, 'the seeded message of each matching dataset');
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

    it('refuses a pattern that matches nothing yet, and producing to a pattern, naming the option', async () => {
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
        if (!app.channel.capabilities.datasetPatterns) return;
        const none = app.channel.subscribe({ pattern });
        await expect(none).rejects.toBeInstanceOf(ConfigurationError);
        await expect(none).rejects.toMatchObject({ option: `subscribe({ pattern: '${pattern}' }): pattern` });
      } finally {
        await app.close();
      }
    });
  });
}
