import { DatabusHeaders, PermanentError } from '@databus/streaming';
import { ConformanceTarget, dataset } from './harness';
import { delay, indexes, range, Recorded, recordingHandler, waitUntil, withDeadLetters } from './helpers';

/** Retry with backoff, dead-letter after the last attempt, undecodable messages, and consumption going on. */
export function failuresConformance(target: ConformanceTarget): void {
  describe('failures: retry and dead-letter', () => {
    const fast = { attempts: 3, backoff: { initialMs: 10, maxMs: 50 } };

    it('retries a failing handler with backoff until it succeeds, without dead-lettering', async () => {
      const ds = dataset('retry');
      const seen: Recorded[] = [];
      const failures = new Map<number, number>();
      const handler = recordingHandler(ds, { batch: 1, retry: fast }, seen, (payload) => {
        const n = failures.get(payload.i) ?? 0;
        if (payload.i === 1 && n < 2) {
          failures.set(payload.i, n + 1);
          throw new Error('temporary trouble');
        }
      });
      await withDeadLetters(target, handler, `${ds}.dlq`, async (app, dlq) => {
        for (const i of range(0, 3)) await app.channel.produce(ds, { i });
        await waitUntil(
          target,
          () => indexes(seen).length === 3 && seen.filter((r) => r.payload.i === 1).length === 3,
          'three attempts of message 1',
        );
        await delay(300);
        expect(seen.filter((r) => r.payload.i === 1)).toHaveLength(3);
        expect(dlq).toHaveLength(0);
      });
    });

    it('keeps the producer-assigned message id (x-databus-message-id) on every attempt and on the dead-letter copy', async () => {
      const ds = dataset('msgid');
      const seen: Recorded[] = [];
      const handler = recordingHandler(
        ds,
        { batch: 1, retry: { attempts: 2, backoff: { initialMs: 10, maxMs: 20 } } },
        seen,
        (payload) => {
          if (payload.i === 0) throw new Error('refused');
        },
      );
      await withDeadLetters(target, handler, `${ds}.dlq`, async (app, dlq) => {
        const ids = ['producer-id-0', 'producer-id-1'];
        await app.channel.produce(ds, { i: 0 }, { headers: { [DatabusHeaders.MESSAGE_ID]: ids[0] } });
        await app.channel.produce(ds, { i: 1 }, { headers: { [DatabusHeaders.MESSAGE_ID]: ids[1] } });
        await waitUntil(
          target,
          () => dlq.length === 1 && indexes(seen).includes(1),
          'dead-letter and the next message',
        );
        const attempts = seen.filter((r) => r.payload.i === 0);
        expect(attempts.map((r) => r.message.headers[DatabusHeaders.MESSAGE_ID])).toEqual([ids[0], ids[0]]);
        expect(seen.find((r) => r.payload.i === 1)?.message.headers[DatabusHeaders.MESSAGE_ID]).toBe(ids[1]);
        expect(dlq[0].headers[DatabusHeaders.MESSAGE_ID]).toBe(ids[0]);
      });
    });

    it('dead-letters after the last attempt with the error in headers, and goes on consuming', async () => {
      const ds = dataset('dead');
      const seen: Recorded[] = [];
      const handler = recordingHandler(
        ds,
        { batch: 1, retry: { attempts: 2, backoff: { initialMs: 10, maxMs: 20 } } },
        seen,
        (payload) => {
          if (payload.i === 0) throw new Error('cannot store reading token=Bearer abc.def.ghi');
        },
      );
      await withDeadLetters(target, handler, `${ds}.dlq`, async (app, dlq) => {
        await app.channel.produce(ds, { i: 0 }, { key: 'sensor-a', headers: { origin: 'test' } });
        await app.channel.produce(ds, { i: 1 });
        await waitUntil(
          target,
          () => dlq.length === 1 && indexes(seen).includes(1),
          'dead-letter and the next message',
        );
        const dead = dlq[0];
        expect(dead.json()).toEqual({ i: 0 });
        expect(dead.key).toBe('sensor-a');
        expect(dead.headers.origin).toBe('test');
        expect(dead.headers[DatabusHeaders.ATTEMPTS]).toBe('2');
        expect(dead.headers[DatabusHeaders.SOURCE_DATASET]).toBe(ds);
        expect(dead.headers[DatabusHeaders.ERROR_MESSAGE]).toContain('cannot store reading');
        expect(dead.headers[DatabusHeaders.ERROR_MESSAGE]).not.toContain('abc.def.ghi');
        expect(seen.filter((r) => r.payload.i === 0)).toHaveLength(2);
      });
    });

    it("with delivery: 'at-most-once' drops a failed message after one attempt, no dead letter, and goes on", async () => {
      const ds = dataset('at-most-once');
      const seen: Recorded[] = [];
      const handler = recordingHandler(ds, { batch: 1, delivery: 'at-most-once' }, seen, (payload) => {
        if (payload.i === 0) throw new Error('handler failed');
      });
      await withDeadLetters(target, handler, `${ds}.dlq`, async (app, dlq) => {
        await app.channel.produce(ds, { i: 0 });
        await app.channel.produce(ds, { i: 1 });
        await waitUntil(target, () => indexes(seen).includes(1), 'the message after the failed one');
        await delay(300); // a retry (backoff from 200 ms) or a dead letter would have shown by now
        expect(indexes(seen)).toEqual([0, 1]);
        expect(seen).toHaveLength(2); // one attempt each
        expect(dlq).toHaveLength(0);
      });
    });

    it('sends an undecodable message and a permanent failure straight to dead-letter', async () => {
      const ds = dataset('poison');
      const seen: Recorded[] = [];
      const handler = recordingHandler(
        ds,
        { batch: 1, retry: fast, deadLetter: `${ds}.poison` },
        seen,
        (payload) => {
          if (payload.i === 1) throw new PermanentError('invalid reading');
        },
      );
      await withDeadLetters(target, handler, `${ds}.poison`, async (app, dlq) => {
        await app.channel.produce(ds, Buffer.from('{not json'), {
          headers: { 'content-type': 'application/json' },
        });
        await app.channel.produce(ds, { i: 1 });
        await app.channel.produce(ds, { i: 2 });
        await waitUntil(
          target,
          () => dlq.length === 2 && indexes(seen).includes(2),
          'two dead letters and message 2',
        );
        const names = dlq.map((m) => m.headers[DatabusHeaders.ERROR_NAME]).sort();
        expect(names).toEqual(['PayloadDecodeError', 'PermanentError']);
        expect(dlq.every((m) => m.headers[DatabusHeaders.ATTEMPTS] === '1')).toBe(true);
        expect(dlq.find((m) => m.headers[DatabusHeaders.ERROR_NAME] === 'PayloadDecodeError')?.text()).toBe(
          '{not json',
        );
        expect(seen.filter((r) => r.payload.i === 1)).toHaveLength(1);
      });
    });
  });
}
