import { isRetriable, TemporaryError } from '../errors';
import { backoffDelay, BackoffOptions, resolveBackoff } from './backoff';
import { sleep } from './sleep';

/** How a failing operation is retried. @publicApi */
export interface RetryOptions {
  /** Total attempts including the first; 1 means no retry. @default 5 */
  attempts?: number;
  backoff?: BackoffOptions;
}

/** What `retry()` needs besides the options. */
export interface RetryContext {
  /** Decides whether an error is worth another attempt. @default isRetriable (TemporaryError and subclasses) */
  shouldRetry?: (error: unknown, attempt: number) => boolean;
  /** Called before each wait, e.g. to log "reconnecting in 400 ms". */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  /** Aborting stops waiting at once and rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Option path used in configuration errors. @default 'retry' */
  path?: string;
}

/** Thrown when every attempt failed with a retriable error; the last failure is the `cause`. @publicApi */
export class RetriesExhaustedError extends TemporaryError {
  constructor(
    readonly attempts: number,
    cause: unknown,
  ) {
    super(`Gave up after ${attempts} attempts: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
  }
}

/**
 * Runs `operation` until it succeeds, retrying only errors that `shouldRetry` accepts (by default databus
 * errors marked retriable), with exponential backoff and jitter between attempts.
 * - A non-retriable error is rethrown unchanged at once.
 * - After the last attempt, a `RetriesExhaustedError` wraps the last error.
 * - `attempts: Infinity` retries until success or abort.
 */
export async function retry<T>(
  operation: (attempt: number) => Promise<T>,
  options: RetryOptions = {},
  context: RetryContext = {},
): Promise<T> {
  const path = context.path ?? 'retry';
  const attempts = options.attempts ?? 5;
  if (!(attempts >= 1)) throw new TypeError(`${path}.attempts must be >= 1`);
  const backoff = resolveBackoff(options.backoff, `${path}.backoff`);
  const shouldRetry = context.shouldRetry ?? ((error: unknown) => isRetriable(error));
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (!shouldRetry(error, attempt)) throw error;
      if (attempt >= attempts) throw new RetriesExhaustedError(attempt, error);
      const delay = backoffDelay(attempt, backoff);
      context.onRetry?.(error, attempt, delay);
      await sleep(delay, context.signal);
    }
  }
}
