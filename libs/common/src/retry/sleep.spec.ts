import { sleep } from './sleep';

describe('sleep', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('resolves after the delay', async () => {
    jest.useFakeTimers();
    let done = false;
    const pending = sleep(1000).then(() => (done = true));
    await jest.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    await pending;
    expect(done).toBe(true);
  });

  it('rejects at once with the reason when the signal is already aborted', async () => {
    const controller = new AbortController();
    const reason = new Error('shutting down');
    controller.abort(reason);
    await expect(sleep(60_000, controller.signal)).rejects.toBe(reason);
  });

  it('rejects with the reason as soon as the signal aborts, and clears its timer', async () => {
    jest.useFakeTimers();
    const controller = new AbortController();
    const pending = sleep(60_000, controller.signal);
    await jest.advanceTimersByTimeAsync(10);
    expect(jest.getTimerCount()).toBe(1);
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('rejects with an AbortError when aborted without a reason', async () => {
    const controller = new AbortController();
    const pending = sleep(60_000, controller.signal);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('stops listening to the signal once it resolved', async () => {
    const controller = new AbortController();
    const remove = jest.spyOn(controller.signal, 'removeEventListener');
    await sleep(1, controller.signal);
    expect(remove).toHaveBeenCalledWith('abort', expect.any(Function));
    controller.abort(new Error('late'));
  });

  it('keeps the process alive by default, and lets it exit with unref: true', async () => {
    const unref = jest.fn();
    const real = global.setTimeout;
    const spy = jest.spyOn(global, 'setTimeout').mockImplementation(((fn: () => void, ms?: number) => {
      const timer = real(fn, ms);
      const original = timer.unref.bind(timer);
      timer.unref = () => {
        unref();
        return original();
      };
      return timer;
    }) as typeof setTimeout);
    await sleep(1);
    expect(unref).not.toHaveBeenCalled();
    await sleep(1, undefined, { unref: true });
    spy.mockRestore();
    expect(unref).toHaveBeenCalledTimes(1);
  });
});
