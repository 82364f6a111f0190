import { ConfigurationError, DatasetMessage, Offset, UnsupportedFeatureError } from '@databus/streaming';
import { ConformanceTarget, dataset, startApp, TestApp } from './harness';
import { delay, produceNumbered, recordingHandler, take, takeWithin } from './helpers';

const numbers = (messages: DatasetMessage[]): number[] => messages.map((m) => m.json<{ i: number }>().i);

/** Values that are no position, each with how the error names it. */
const NOT_POSITIONS: Array<[unknown, string]> = [
  [NaN, 'NaN'],
  [-1, '-1'],
  [1.5, '1.5'],
  [new Date('not a date'), 'an invalid Date'],
  ['5', '"5"'],
  [{}, 'an object without "kind"'],
  [{ kind: 'sequence', sequence: -3 }, '{ kind: "sequence", sequence: -3 }'],
  [null, 'null'],
];

/**
 * The positions users write as plain values (`sub.seek(5)`, `sub.seek(date)`, `subscribe({ offset: 5 })`):
 * a number is a sequence, a `Date` a time, anything else a `ConfigurationError`; where the transport has no
 * such positions, an `UnsupportedFeatureError`. Never a stall or a wrong position.
 */
export function seekValuesConformance(target: ConformanceTarget): void {
  describe('positions written as numbers and dates', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startApp(target, target.url());
    });
    afterAll(() => app?.close());

    /** Produces 2 messages, waits past a second boundary, notes the time, waits again, produces 3 more. */
    async function produceAroundMiddle(ds: string): Promise<Date> {
      await produceNumbered(app.channel, ds, 2);
      await delay(1500); // brokers store timestamps with second precision
      const middle = new Date();
      await delay(1500);
      await produceNumbered(app.channel, ds, 3, { from: 2 });
      return middle;
    }

    it('seek(number) moves a live subscription to that sequence, like Offset.sequence(n)', async () => {
      const ds = dataset('seeknum');
      const sub = await app.channel.subscribe(ds, { offset: Offset.LATEST, batch: 1 });
      try {
        if (!app.channel.capabilities.seek) {
          await expect(sub.seek(1)).rejects.toBeInstanceOf(UnsupportedFeatureError);
          return;
        }
        await delay(100);
        await produceNumbered(app.channel, ds, 4);
        const firstPass = await takeWithin(target, sub, 4, 'before the seek');
        await sub.seek(firstPass[1].sequence);
        const again = await takeWithin(target, sub, 3, 'after seek(number)');
        expect(numbers(again)).toEqual([1, 2, 3]);
      } finally {
        await sub.close();
      }
    });

    it('seek(Date) moves a live subscription to that time, like Offset.time(date)', async () => {
      const ds = dataset('seekdate');
      const sub = await app.channel.subscribe(ds, { offset: Offset.LATEST, batch: 1 });
      try {
        const { seek, seekByTime } = app.channel.capabilities;
        if (!seek || !seekByTime) {
          await expect(sub.seek(new Date())).rejects.toBeInstanceOf(UnsupportedFeatureError);
          return;
        }
        await delay(100);
        const middle = await produceAroundMiddle(ds);
        expect(numbers(await takeWithin(target, sub, 5, 'before the seek'))).toEqual([0, 1, 2, 3, 4]);
        await sub.seek(middle);
        expect(numbers(await takeWithin(target, sub, 3, 'after seek(Date)'))).toEqual([2, 3, 4]);
      } finally {
        await sub.close();
      }
    });

    it('subscribe({ offset: number }) starts at that sequence, or fails with UnsupportedFeatureError', async () => {
      const ds = dataset('subnum');
      if (!app.channel.capabilities.seekBySequence) {
        await expect(app.channel.subscribe(ds, { offset: 1 })).rejects.toBeInstanceOf(
          UnsupportedFeatureError,
        );
        return;
      }
      await produceNumbered(app.channel, ds, 5);
      const first = await app.channel.subscribe(ds, { offset: Offset.BEGIN, batch: 5 });
      const all = await take(first, 5);
      await first.close();
      const sub = await app.channel.subscribe(ds, { offset: all[2].sequence, batch: 1 });
      try {
        expect(numbers(await takeWithin(target, sub, 3, 'from the sequence'))).toEqual([2, 3, 4]);
      } finally {
        await sub.close();
      }
    });

    it('subscribe({ offset: Date }) starts at that time, or fails with UnsupportedFeatureError', async () => {
      const ds = dataset('subdate');
      if (!app.channel.capabilities.seekByTime) {
        await expect(app.channel.subscribe(ds, { offset: new Date() })).rejects.toBeInstanceOf(
          UnsupportedFeatureError,
        );
        return;
      }
      const middle = await produceAroundMiddle(ds);
      const sub = await app.channel.subscribe(ds, { offset: middle, batch: 1 });
      try {
        expect(numbers(await takeWithin(target, sub, 3, 'from the time'))).toEqual([2, 3, 4]);
      } finally {
        await sub.close();
      }
    });

    it('a value that is no position is a ConfigurationError naming the option and the value; nothing moves', async () => {
      const ds = dataset('badpos');
      for (const [value, received] of NOT_POSITIONS) {
        const subscribing = app.channel.subscribe(ds, { offset: value as never });
        await expect(subscribing).rejects.toBeInstanceOf(ConfigurationError);
        await expect(subscribing).rejects.toMatchObject({ option: `subscribe('${ds}'): offset` });
        await expect(subscribing).rejects.toThrow(`received ${received}.`);
      }
      const sub = await app.channel.subscribe(ds, { offset: Offset.LATEST, batch: 1 });
      try {
        for (const [value, received] of [...NOT_POSITIONS, [undefined, 'undefined']]) {
          const seeking = sub.seek(value as never);
          await expect(seeking).rejects.toBeInstanceOf(ConfigurationError);
          await expect(seeking).rejects.toMatchObject({ option: `seek('${ds}'): offset` });
          await expect(seeking).rejects.toThrow(`received ${received}.`);
        }
        await delay(200);
        await produceNumbered(app.channel, ds, 1);
        expect(numbers(await takeWithin(target, sub, 1, 'after the refused seeks'))).toEqual([0]);
      } finally {
        await sub.close();
      }
    });

    it('a handler with an offset that is no position fails the bootstrap with ConfigurationError', async () => {
      const handler = recordingHandler(dataset('badboot'), { offset: -1 as never }, []);
      const starting = startApp(target, target.url(), { providers: [handler] });
      await expect(starting).rejects.toBeInstanceOf(ConfigurationError);
      await expect(starting).rejects.toThrow(/offset": expected .*received -1\./);
    });

    it('a durable group keeps receiving after seek(number), and after subscribing again', async () => {
      const { seek, durableGroups } = app.channel.capabilities;
      if (!seek || !durableGroups) return;
      const ds = dataset('seekgroup');
      const group = dataset('g');
      await produceNumbered(app.channel, ds, 3);
      const sub = await app.channel.subscribe(ds, { group, offset: Offset.BEGIN, batch: 1 });
      try {
        const firstPass = await takeWithin(target, sub, 3, 'before the seek');
        await sub.seek(firstPass[1].sequence);
        expect(numbers(await takeWithin(target, sub, 2, 'after seek(number)'))).toEqual([1, 2]);
        await produceNumbered(app.channel, ds, 1, { from: 3 });
        expect(numbers(await takeWithin(target, sub, 1, 'produced after the seek'))).toEqual([3]);
      } finally {
        await sub.close();
      }
      const again = await app.channel.subscribe(ds, { group, offset: Offset.BEGIN, batch: 1 });
      try {
        await delay(200);
        await produceNumbered(app.channel, ds, 1, { from: 4 });
        expect(numbers(await takeWithin(target, again, 1, 'after subscribing again'))).toEqual([4]);
      } finally {
        await again.close();
      }
    });
  });
}
