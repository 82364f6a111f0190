import { randomUUID } from 'node:crypto';
import { ConfigurationError } from '@databus/streaming';
import { ConformanceTarget, startApp, TestApp } from './harness';
import { indexes, Recorded, recordingHandler, waitUntil, withDeadLetters } from './helpers';

/** The longest portable name (200 characters), with every portable character class in it. */
function longestPortableName(): string {
  const head = `Names_0-9.${randomUUID().slice(0, 8)}.`;
  return head + 'x'.repeat(200 - head.length);
}

/** Names some broker refuses or reads differently, each with the character or rule the error names. */
const NOT_PORTABLE: Array<[string, string]> = [
  ['bad name/*>', 'character " " at index 3'],
  ['sensors/temp', 'character "/" at index 7'],
  ['sensors.+', 'character "+" at index 8'],
  ['a..b', 'an empty part between dots'],
  ['.leading', 'an empty part between dots'],
  ['trailing.', 'an empty part between dots'],
  ['ünïcode', 'character "ü" at index 0'],
  ['x'.repeat(201), 'a name of 201 characters'],
];

/**
 * Dataset names: the portable rule is the same on every transport, so a suite that passes on memory does not
 * fail on a broker. The longest portable name works end to end (with its `.dlq`), and every name outside the
 * rule is refused before anything reaches the broker, naming the option and what is wrong.
 */
export function datasetNamesConformance(target: ConformanceTarget): void {
  describe('dataset names', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startApp(target, target.url());
    });
    afterAll(() => app?.close());

    it('the longest portable name produces, consumes and dead-letters to <name>.dlq', async () => {
      const ds = longestPortableName();
      const seen: Recorded[] = [];
      const handler = recordingHandler(
        ds,
        { batch: 1, retry: { attempts: 1, backoff: { initialMs: 10, maxMs: 10 } } },
        seen,
        (payload) => {
          if (payload.i === 0) throw new Error('refused by the test');
        },
      );
      await withDeadLetters(target, handler, `${ds}.dlq`, async (own, dlq) => {
        await own.channel.produce(ds, { i: 0 });
        await own.channel.produce(ds, { i: 1 });
        await waitUntil(target, () => dlq.length === 1 && indexes(seen).includes(1), 'both messages');
        expect(dlq[0].json()).toEqual({ i: 0 });
        expect(seen.map((r) => r.message.dataset)).toContain(ds);
      });
    });

    it.each(NOT_PORTABLE)(
      'produce(%j) is a ConfigurationError naming the option and %s',
      async (name, why) => {
        const error = await app.channel.produce(name, { i: 0 }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ConfigurationError);
        expect(error).toMatchObject({ option: 'produce: dataset' });
        expect((error as Error).message).toContain('portable dataset name');
        expect((error as Error).message).toContain(why);
      },
    );

    it('subscribe, produce(records) and an explicit deadLetter check the same rule', async () => {
      await expect(app.channel.subscribe('sensors/temp')).rejects.toMatchObject({
        name: 'ConfigurationError',
        option: expect.stringContaining('dataset'),
      });
      await expect(
        app.channel.produce([
          { dataset: 'fine', value: 1 },
          { dataset: 'not fine', value: 2 },
        ]),
      ).rejects.toMatchObject({ name: 'ConfigurationError', option: 'produce: records[1].dataset' });
      await expect(app.channel.subscribe('fine', { deadLetter: 'fine/dlq' })).rejects.toMatchObject({
        name: 'ConfigurationError',
        option: expect.stringContaining('deadLetter'),
      });
    });

    it('@OnDatasetMessage with a name outside the rule fails the bootstrap naming the handler', async () => {
      const handler = recordingHandler('sensors/temp', { batch: 1 }, []);
      const error = await startApp(target, target.url(), { providers: [handler] }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigurationError);
      expect((error as Error).message).toContain('RecordingHandler.handle');
      expect((error as Error).message).toContain('character "/" at index 7');
    });
  });
}
