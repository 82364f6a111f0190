import { PermanentError, TemporaryError } from '@databus/common';
import { OutgoingRecord, ProduceResult } from '../transport/transport-record.interface';
import { MAX_COALESCED_BATCH, ProduceCoalescer } from './produce-coalescer';

const record = (n: number): OutgoingRecord => ({ headers: {}, data: Buffer.from(String(n)) });

/** A sender that records each batch and answers with sequences, or with `fail(batch)` when it throws. */
function recordingSender(fail?: (records: OutgoingRecord[]) => Error | undefined) {
  const batches: Array<{ dataset: string; bodies: string[] }> = [];
  let sequence = 0;
  const send = async (dataset: string, records: OutgoingRecord[]): Promise<ProduceResult[]> => {
    batches.push({ dataset, bodies: records.map((r) => r.data.toString()) });
    const error = fail?.(records);
    if (error) throw error;
    return records.map(() => ({ sequence: ++sequence }));
  };
  return { batches, send };
}

describe('ProduceCoalescer', () => {
  it('sends the calls of one tick as one batch per dataset, in call order, each resolving with its own result', async () => {
    const { batches, send } = recordingSender();
    const coalescer = new ProduceCoalescer(send);
    const results = await Promise.all([
      coalescer.add('a', record(1)),
      coalescer.add('b', record(2)),
      coalescer.add('a', record(3)),
    ]);
    expect(batches).toEqual([
      { dataset: 'a', bodies: ['1', '3'] },
      { dataset: 'b', bodies: ['2'] },
    ]);
    expect(results).toEqual([{ sequence: 1 }, { sequence: 3 }, { sequence: 2 }]);
  });

  it('starts a new batch for calls made after the previous tick', async () => {
    const { batches, send } = recordingSender();
    const coalescer = new ProduceCoalescer(send);
    await coalescer.add('a', record(1));
    await coalescer.add('a', record(2));
    expect(batches.map((b) => b.bodies)).toEqual([['1'], ['2']]);
  });

  it(`sends at most ${MAX_COALESCED_BATCH} records per batch`, async () => {
    const { batches, send } = recordingSender();
    const coalescer = new ProduceCoalescer(send);
    await Promise.all(
      Array.from({ length: MAX_COALESCED_BATCH + 5 }, (_, i) => coalescer.add('a', record(i))),
    );
    expect(batches.map((b) => b.bodies.length)).toEqual([MAX_COALESCED_BATCH, 5]);
  });

  it('rejects every call of a batch that failed with a temporary error, without sending again', async () => {
    const { batches, send } = recordingSender(() => new TemporaryError('broker unavailable'));
    const coalescer = new ProduceCoalescer(send);
    const outcomes = await Promise.allSettled([coalescer.add('a', record(1)), coalescer.add('a', record(2))]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    const [first] = outcomes as PromiseRejectedResult[];
    expect(first.reason).toBeInstanceOf(TemporaryError);
    expect((first.reason as Error).message).toBe('broker unavailable');
    expect(batches).toHaveLength(1);
  });

  it('gives each call its own outcome when a batch fails with a permanent error', async () => {
    const tooLarge = (records: OutgoingRecord[]) =>
      records.some((r) => r.data.toString() === 'big') ? new PermanentError('record too large') : undefined;
    const { batches, send } = recordingSender(tooLarge);
    const coalescer = new ProduceCoalescer(send);
    const big: OutgoingRecord = { headers: {}, data: Buffer.from('big') };
    const outcomes = await Promise.allSettled([
      coalescer.add('a', record(1)),
      coalescer.add('a', big),
      coalescer.add('a', record(3)),
    ]);
    expect(outcomes[0]).toEqual({ status: 'fulfilled', value: { sequence: 1 } });
    expect(outcomes[2]).toEqual({ status: 'fulfilled', value: { sequence: 2 } });
    const rejected = outcomes[1] as PromiseRejectedResult;
    expect(rejected.reason).toBeInstanceOf(PermanentError);
    expect((rejected.reason as Error).message).toBe('record too large');
    expect(batches.map((b) => b.bodies)).toEqual([['1', 'big', '3'], ['1'], ['big'], ['3']]);
  });
});
