import { KeyedScheduler } from './keyed-scheduler';

const tick = (ms = 1) => new Promise((r) => setTimeout(r, ms));

describe('KeyedScheduler', () => {
  it('runs at most `concurrency` tasks at once', async () => {
    const scheduler = new KeyedScheduler(2);
    let running = 0;
    let max = 0;
    for (let i = 0; i < 10; i++)
      scheduler.submit(undefined, async () => {
        max = Math.max(max, ++running);
        await tick(2);
        running--;
      });
    await scheduler.idle();
    expect(max).toBe(2);
  });

  it('keeps tasks with the same key in submission order while other keys overtake', async () => {
    const scheduler = new KeyedScheduler(4);
    const done: string[] = [];
    const slowFirst = (key: string, i: number, ms: number) =>
      scheduler.submit(key, async () => {
        await tick(ms);
        done.push(`${key}${i}`);
      });
    slowFirst('a', 1, 20);
    slowFirst('a', 2, 1);
    slowFirst('b', 1, 1);
    await scheduler.idle();
    expect(done).toEqual(['b1', 'a1', 'a2']);
  });

  it('survives a failing task and reports idle when everything finished', async () => {
    const scheduler = new KeyedScheduler(1);
    const done: number[] = [];
    scheduler.submit('k', async () => {
      throw new Error('boom');
    });
    scheduler.submit('k', async () => {
      done.push(2);
    });
    await scheduler.idle();
    expect(done).toEqual([2]);
    expect(scheduler.pending).toBe(0);
  });
});

describe('KeyedScheduler with synchronous work', () => {
  it('completes synchronous items within submit, in order per key, without waiting a tick', () => {
    const done: string[] = [];
    const scheduler = new KeyedScheduler<string>(1, (item) => void done.push(item));
    scheduler.submit('a', 'a1');
    scheduler.submit('b', 'b1');
    scheduler.submit('a', 'a2');
    expect(done).toEqual(['a1', 'b1', 'a2']);
    expect(scheduler.pending).toBe(0);
  });

  it('runs an item submitted from inside a synchronous item after it, not nested in it', () => {
    const log: string[] = [];
    const scheduler: KeyedScheduler<string> = new KeyedScheduler<string>(1, (item) => {
      log.push(`start ${item}`);
      if (item === 'first') scheduler.submit(undefined, 'second');
      log.push(`end ${item}`);
    });
    scheduler.submit(undefined, 'first');
    expect(log).toEqual(['start first', 'end first', 'start second', 'end second']);
  });

  it('mixes synchronous and asynchronous items under the concurrency limit and keeps key order', async () => {
    let running = 0;
    let max = 0;
    const done: number[] = [];
    const scheduler = new KeyedScheduler<number>(2, (n) => {
      max = Math.max(max, ++running);
      if (n % 2 === 0) {
        running--;
        done.push(n);
        return;
      }
      return tick(1).then(() => {
        running--;
        done.push(n);
      });
    });
    for (let n = 0; n < 6; n++) scheduler.submit('k', n);
    await scheduler.idle();
    expect(done).toEqual([0, 1, 2, 3, 4, 5]);
    expect(max).toBe(1);
  });

  it('with concurrency 1 runs every item in submission order, keyed or not, one finishing before the next starts', async () => {
    const started: string[] = [];
    const finished: string[] = [];
    let running = 0;
    let max = 0;
    const scheduler = new KeyedScheduler<string>(1, (item) => {
      started.push(item);
      max = Math.max(max, ++running);
      const end = (): void => {
        running--;
        finished.push(item);
      };
      if (item.endsWith('sync')) return end();
      return tick(1).then(end);
    });
    for (const [key, item] of [
      ['a', 'a1-async'],
      ['b', 'b1-sync'],
      ['a', 'a2-sync'],
      [undefined, 'n1-async'],
      ['b', 'b2-async'],
    ] as const)
      scheduler.submit(key, item);
    await scheduler.idle();
    const order = ['a1-async', 'b1-sync', 'a2-sync', 'n1-async', 'b2-async'];
    expect(started).toEqual(order);
    expect(finished).toEqual(order);
    expect(max).toBe(1);
    expect(scheduler.pending).toBe(0);
  });
});
