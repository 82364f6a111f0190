import { collectGarbage } from '@databus/testing';
import { DeadlineEntry, DeadlineQueue } from './deadline-queue';

describe('DeadlineQueue', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  const entry = (deadline: number, log: number[]): DeadlineEntry => ({
    deadline,
    done: false,
    expire: () => log.push(deadline),
  });

  it('expires only pending entries, in order, with one timer', () => {
    const now = Date.now();
    const log: number[] = [];
    const queue = new DeadlineQueue();
    const [a, b, c] = [entry(now + 10, log), entry(now + 20, log), entry(now + 30, log)];
    [a, b, c].forEach((e) => queue.add(e));
    b.done = true;
    expect(jest.getTimerCount()).toBe(1);
    jest.advanceTimersByTime(25);
    expect(log).toEqual([now + 10]);
    jest.advanceTimersByTime(10);
    expect(log).toEqual([now + 10, now + 30]);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('expires everything on expireAll', () => {
    const log: number[] = [];
    const queue = new DeadlineQueue();
    queue.add(entry(Date.now() + 1000, log));
    queue.expireAll();
    expect(log).toHaveLength(1);
    expect(jest.getTimerCount()).toBe(0);
  });
});

describe('DeadlineQueue, settled entries', () => {
  it('lets go of a settled entry once the head has passed it, long before its deadline', async () => {
    const queue = new DeadlineQueue();
    const deadline = Date.now() + 60_000;
    const waiting = (): DeadlineEntry => ({ deadline, done: false, expire: () => undefined });
    let settled: DeadlineEntry | undefined = waiting();
    const released = new WeakRef(settled);
    queue.add(settled);
    queue.add(waiting());
    settled.done = true;
    // The next entry moves the head past the settled one, with another still waiting behind it (publishes
    // acknowledged in order, a window of them in flight): the queue is not empty, so it is not cleared.
    queue.add(waiting());
    settled = undefined;
    await new Promise((resolve) => setImmediate(resolve)); // a WeakRef holds its target until the turn ends
    collectGarbage();
    expect(released.deref()).toBeUndefined();
    queue.expireAll();
  });
});
