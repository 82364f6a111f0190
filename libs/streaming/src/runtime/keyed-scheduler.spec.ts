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
