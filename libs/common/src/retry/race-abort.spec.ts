import { raceAbort, raceTimeout, settlesWithin } from './race-abort';

describe('raceAbort', () => {
  it('settles with the work when it ends first, and stops listening', async () => {
    const controller = new AbortController();
    const remove = jest.spyOn(controller.signal, 'removeEventListener');
    await expect(raceAbort(Promise.resolve('done'), controller.signal)).resolves.toBe('done');
    expect(remove).toHaveBeenCalledWith('abort', expect.any(Function));
  });

  it('rejects with the reason as soon as the signal aborts, even if the work never ends', async () => {
    const controller = new AbortController();
    const pending = raceAbort(new Promise<never>(() => undefined), controller.signal);
    const reason = new Error('deadline');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });

  it('rejects at once when already aborted, without an unhandled rejection from the work', async () => {
    const controller = new AbortController();
    controller.abort(new Error('closed'));
    await expect(raceAbort(Promise.reject(new Error('late')), controller.signal)).rejects.toThrow(
      new Error('closed'),
    );
  });
});

describe('raceTimeout', () => {
  afterEach(() => jest.useRealTimers());

  it('settles with the work when it ends first, and clears its timer', async () => {
    jest.useFakeTimers();
    await expect(raceTimeout(Promise.resolve('done'), 1_000, () => new Error('late'))).resolves.toBe('done');
    expect(jest.getTimerCount()).toBe(0);
  });

  it("rejects with the work's own failure when it fails first", async () => {
    const failure = new Error('refused');
    await expect(raceTimeout(Promise.reject(failure), 1_000, () => new Error('late'))).rejects.toBe(failure);
  });

  it('rejects with the timeout error once the time passed, even if the work never ends', async () => {
    jest.useFakeTimers();
    const pending = raceTimeout(
      new Promise<never>(() => undefined),
      500,
      () => new Error('no join within 500 ms'),
    );
    const outcome = pending.catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(500);
    expect(((await outcome) as Error).message).toBe('no join within 500 ms');
  });
});

describe('settlesWithin', () => {
  afterEach(() => jest.useRealTimers());

  it('resolves true when the work fulfils in time, and clears its timer', async () => {
    jest.useFakeTimers();
    await expect(settlesWithin(Promise.resolve('done'), 1_000)).resolves.toBe(true);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('resolves true (never rejects) when the work fails in time', async () => {
    jest.useFakeTimers();
    await expect(settlesWithin(Promise.reject(new Error('broken')), 1_000)).resolves.toBe(true);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('resolves false once the time passed, even if the work never settles', async () => {
    jest.useFakeTimers();
    const pending = settlesWithin(new Promise<never>(() => undefined), 250);
    await jest.advanceTimersByTimeAsync(249);
    let result: boolean | undefined;
    void pending.then((value) => (result = value));
    await Promise.resolve();
    expect(result).toBeUndefined();
    await jest.advanceTimersByTimeAsync(1);
    await expect(pending).resolves.toBe(false);
  });
});
