import { PromiseMemo } from './promise-memo';

describe('PromiseMemo', () => {
  it('creates once per key and gives every caller the same promise', async () => {
    const memo = new PromiseMemo<string, number>();
    const create = jest.fn(() => Promise.resolve(1));
    const first = memo.get('a', create);
    expect(memo.get('a', create)).toBe(first);
    await expect(first).resolves.toBe(1);
    expect(memo.get('a', create)).toBe(first);
    expect(create).toHaveBeenCalledTimes(1);
  });

  it('forgets a rejected promise, so the next call creates it again; callers see the rejection', async () => {
    const memo = new PromiseMemo<string, number>();
    const failed = memo.get('a', () => Promise.reject(new Error('broker down')));
    await expect(failed).rejects.toThrow('broker down');
    const again = memo.get('a', () => Promise.resolve(2));
    expect(again).not.toBe(failed);
    await expect(again).resolves.toBe(2);
  });

  it('does not drop a newer entry when an older, forgotten one rejects', async () => {
    const memo = new PromiseMemo<string, number>();
    let reject!: (error: Error) => void;
    const old = memo.get('a', () => new Promise<number>((_resolve, r) => (reject = r)));
    memo.delete('a');
    const fresh = memo.get('a', () => Promise.resolve(3));
    reject(new Error('late failure'));
    await expect(old).rejects.toThrow('late failure');
    expect(memo.get('a', () => Promise.resolve(4))).toBe(fresh);
  });

  it('delete and clear forget keys; values lists what is held', async () => {
    const memo = new PromiseMemo<string, string>();
    const a = memo.get('a', () => Promise.resolve('A'));
    const b = memo.get('b', () => Promise.resolve('B'));
    expect(memo.values()).toEqual([a, b]);
    memo.delete('a');
    expect(memo.values()).toEqual([b]);
    memo.clear();
    expect(memo.values()).toEqual([]);
  });

  it('gives a fulfilled value at once through settled, and forgets it with its key', async () => {
    const memo = new PromiseMemo<string, string>();
    let resolve!: (value: string) => void;
    const pending = memo.get('a', () => new Promise<string>((r) => (resolve = r)));
    expect(memo.settled('a')).toBeUndefined();
    resolve('A');
    await pending;
    expect(memo.settled('a')).toBe('A');
    memo.delete('a');
    expect(memo.settled('a')).toBeUndefined();
    await memo.get('b', () => Promise.resolve('B'));
    memo.clear();
    expect(memo.settled('b')).toBeUndefined();
  });

  it('does not record the value of an entry forgotten before it was fulfilled', async () => {
    const memo = new PromiseMemo<string, string>();
    const old = memo.get('a', () => Promise.resolve('old'));
    memo.delete('a');
    await old;
    expect(memo.settled('a')).toBeUndefined();
  });
});
