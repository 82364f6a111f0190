import { MAX_TIMER_DELAY_MS } from './auth.constants';
import { RefreshScheduler } from './refresh-scheduler';

describe('RefreshScheduler', () => {
  beforeEach(() => jest.useFakeTimers({ now: 0 }));
  afterEach(() => jest.useRealTimers());

  it('splits delays beyond the setTimeout limit instead of firing at once', async () => {
    const scheduler = new RefreshScheduler(Date.now);
    const task = jest.fn();
    const at = MAX_TIMER_DELAY_MS * 2 + 5;
    scheduler.schedule(at, task);
    await jest.advanceTimersByTimeAsync(MAX_TIMER_DELAY_MS * 2);
    expect(task).not.toHaveBeenCalled();
    expect(scheduler.dueAt).toBe(at);
    await jest.advanceTimersByTimeAsync(5);
    expect(task).toHaveBeenCalledTimes(1);
    expect(scheduler.dueAt).toBeUndefined();
  });

  it('keeps one pending task: scheduling replaces, cancel drops it', async () => {
    const scheduler = new RefreshScheduler(Date.now);
    const first = jest.fn();
    const second = jest.fn();
    scheduler.schedule(100, first);
    scheduler.schedule(200, second);
    await jest.advanceTimersByTimeAsync(300);
    expect(first).not.toHaveBeenCalled();
    expect(second).toHaveBeenCalledTimes(1);
    scheduler.schedule(400, first);
    scheduler.cancel();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('never keeps the process alive', () => {
    jest.useRealTimers();
    const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const scheduler = new RefreshScheduler(Date.now);
    scheduler.schedule(Date.now() + 60_000, () => undefined);
    expect(timers()).toBe(before);
    const referenced = setTimeout(() => undefined, 60_000);
    expect(timers()).toBe(before + 1);
    clearTimeout(referenced);
    scheduler.cancel();
  });
});
