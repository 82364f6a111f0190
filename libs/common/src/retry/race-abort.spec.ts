import { raceAbort } from './race-abort';

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
