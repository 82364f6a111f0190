import { PermanentError, TemporaryError } from '../errors';
import { MAX_COALESCED_BATCH, TickCoalescer } from './tick-coalescer';

/** A sender that records each batch and answers with sequences, or with `fail(batch)` when it throws. */
function recordingSender(fail?: (items: string[]) => Error | undefined) {
  const batches: Array<{ key: string; items: string[] }> = [];
  let sequence = 0;
  const send = async (key: string, items: string[]): Promise<number[]> => {
    batches.push({ key, items: [...items] });
    const error = fail?.(items);
    if (error) throw error;
    return items.map(() => ++sequence);
  };
  return { batches, send };
}

describe('TickCoalescer', () => {
  it('sends the calls of one tick as one batch per key, in call order, each resolving with its own result', async () => {
    const { batches, send } = recordingSender();
    const coalescer = new TickCoalescer(send);
    const results = await Promise.all([
      coalescer.add('a', '1'),
      coalescer.add('b', '2'),
      coalescer.add('a', '3'),
    ]);
    expect(batches).toEqual([
      { key: 'a', items: ['1', '3'] },
      { key: 'b', items: ['2'] },
    ]);
    expect(results).toEqual([1, 3, 2]);
  });

  it('starts a new batch for calls made after the previous tick', async () => {
    const { batches, send } = recordingSender();
    const coalescer = new TickCoalescer(send);
    await coalescer.add('a', '1');
    await coalescer.add('a', '2');
    expect(batches.map((b) => b.items)).toEqual([['1'], ['2']]);
  });

  it(`sends at most ${MAX_COALESCED_BATCH} items per batch by default, or the bound it is given`, async () => {
    const { batches, send } = recordingSender();
    const coalescer = new TickCoalescer(send);
    await Promise.all(
      Array.from({ length: MAX_COALESCED_BATCH + 5 }, (_, i) => coalescer.add('a', String(i))),
    );
    expect(batches.map((b) => b.items.length)).toEqual([MAX_COALESCED_BATCH, 5]);
    const small = recordingSender();
    const bounded = new TickCoalescer(small.send, 2);
    await Promise.all(['1', '2', '3'].map((item) => bounded.add('a', item)));
    expect(small.batches.map((b) => b.items)).toEqual([['1', '2'], ['3']]);
  });

  it('rejects every call of a batch that failed with a temporary error, without sending again', async () => {
    const { batches, send } = recordingSender(() => new TemporaryError('broker unavailable'));
    const coalescer = new TickCoalescer(send);
    const outcomes = await Promise.allSettled([coalescer.add('a', '1'), coalescer.add('a', '2')]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    const [first] = outcomes as PromiseRejectedResult[];
    expect(first.reason).toBeInstanceOf(TemporaryError);
    expect((first.reason as Error).message).toBe('broker unavailable');
    expect(batches).toHaveLength(1);
  });

  it('rejects the calls of a batch whose sender threw synchronously', async () => {
    const coalescer = new TickCoalescer<string, number>(() => {
      throw new TemporaryError('not connected');
    });
    await expect(coalescer.add('a', '1')).rejects.toThrow('not connected');
  });

  it('gives each call its own outcome when a batch fails with a permanent error', async () => {
    const tooLarge = (items: string[]) =>
      items.includes('big') ? new PermanentError('message too large') : undefined;
    const { batches, send } = recordingSender(tooLarge);
    const coalescer = new TickCoalescer(send);
    const outcomes = await Promise.allSettled([
      coalescer.add('a', '1'),
      coalescer.add('a', 'big'),
      coalescer.add('a', '3'),
    ]);
    expect(outcomes[0]).toEqual({ status: 'fulfilled', value: 1 });
    expect(outcomes[2]).toEqual({ status: 'fulfilled', value: 2 });
    const rejected = outcomes[1] as PromiseRejectedResult;
    expect(rejected.reason).toBeInstanceOf(PermanentError);
    expect((rejected.reason as Error).message).toBe('message too large');
    expect(batches.map((b) => b.items)).toEqual([['1', 'big', '3'], ['1'], ['big'], ['3']]);
  });

  it("lets a sender settle each call itself, on the item's own acknowledgement, not on the batch's last", async () => {
    const batches: string[][] = [];
    let acks: Array<{ resolve: (n: number) => void; reject: (e: Error) => void }> = [];
    const coalescer = new TickCoalescer<string, number>((_key, items, resolves, rejects) => {
      batches.push([...items]);
      acks = items.map((_, i) => ({ resolve: resolves[i], reject: rejects[i] }));
    });
    const settled: string[] = [];
    const calls = ['1', '2', '3'].map((item) =>
      coalescer.add('a', item).then(
        (n) => settled.push(`${item}:${n}`),
        (e: Error) => settled.push(`${item}:${e.message}`),
      ),
    );
    await Promise.resolve();
    expect(batches).toEqual([['1', '2', '3']]);
    acks[1].resolve(20);
    await calls[1];
    expect(settled).toEqual(['2:20']);
    acks[2].reject(new PermanentError('message too large'));
    acks[0].resolve(10);
    await Promise.all(calls);
    // A permanent failure of one item settles that call only: nothing is sent again.
    expect(settled).toEqual(['2:20', '3:message too large', '1:10']);
    expect(batches).toHaveLength(1);
  });

  it('rejects the calls a settling sender had not settled when it throws', async () => {
    const coalescer = new TickCoalescer<string, number>((_key, _items, resolves) => {
      resolves[0](1);
      throw new TemporaryError('not connected');
    });
    const outcomes = await Promise.allSettled([coalescer.add('a', '1'), coalescer.add('a', '2')]);
    expect(outcomes[0]).toEqual({ status: 'fulfilled', value: 1 });
    expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(TemporaryError);
  });
});
