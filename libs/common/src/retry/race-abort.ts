/**
 * Settles with `work`, or rejects with the signal's reason as soon as `signal` aborts (the work itself goes
 * on; the caller closes whatever it may still produce). Stops listening to the signal once settled.
 */
export function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/**
 * Settles with `work`, or rejects with `timeoutError()` once `ms` passed (the work itself goes on; the caller
 * stops whatever it may still produce). The timer does not keep the process alive and is cleared once settled.
 */
export function raceTimeout<T>(work: Promise<T>, ms: number, timeoutError: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(timeoutError()), ms);
    timer.unref();
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/**
 * Waits for `work` to settle (fulfilled or rejected: its outcome is not the point) for at most `ms`. Resolves
 * `true` when it settled in time, `false` when the time passed first (the work itself goes on). For bounded
 * waits on shutdown paths; the timer does not keep the process alive and is cleared once settled.
 */
export function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    timer.unref();
    const settled = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    work.then(settled, settled);
  });
}
