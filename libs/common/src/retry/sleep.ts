/** Options of `sleep`. */
export interface SleepOptions {
  /**
   * Let the process exit while this sleep is pending. Leave it off for waits that are part of live work
   * (a reconnect backoff, a retry delay): an app with no socket open during a broker outage must not exit
   * mid-wait. Turn it on only for bounded waits with no abort signal (a close grace period).
   * @default false
   */
  unref?: boolean;
  /** Receives the timer, e.g. to show that a pending wait keeps the process alive. */
  onTimer?: (timer: ReturnType<typeof setTimeout>) => void;
}

/**
 * Resolves after `ms`, or rejects with the signal's reason as soon as `signal` aborts (pass the signal of
 * whatever closes the waiting work, so closing never waits for the timer).
 */
export function sleep(ms: number, signal?: AbortSignal, options: SleepOptions = {}): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    if (options.unref) timer.unref?.();
    options.onTimer?.(timer);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
