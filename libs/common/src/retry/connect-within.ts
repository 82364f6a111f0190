import { errorMessage, TemporaryError } from '../errors';
import { BackoffOptions } from './backoff';
import { describeAttempt } from './attempt-log';
import { raceAbort } from './race-abort';
import { retry, RetriesExhaustedError, RetryVerdict } from './retry';

/** The bootstrap connect budget of a databus client (`connectTimeoutMs`). */
export interface ConnectBudget {
  /** Time all attempts together may take; no attempt starts after it. */
  connectTimeoutMs: number;
  /** The target without secrets, e.g. `amqp://host:5672`; named in log lines and errors. */
  where: string;
  backoff?: BackoffOptions;
  /** Gets one WARN line per failed transient attempt. */
  logger?: { warn(message: string): void };
  /** Aborting stops the loop (module closing). */
  signal?: AbortSignal;
  /** Name of the budget option in the final error. @default 'connectTimeoutMs' */
  option?: string;
  /** @default transient = a retriable databus error */
  classify?: (error: unknown) => RetryVerdict;
}

/** Default of `connectTimeoutMs`, the same in `@databus/streaming` and `@databus/queue`. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;

/**
 * Runs the first connect of a client: a permanent failure (refused credentials, wrong vhost, untrusted
 * certificate, a port that speaks another protocol) is rethrown at once; a transient one (refused or
 * unreachable socket) is retried with backoff, one WARN line per attempt, until `connectTimeoutMs`. Then it
 * fails with a `TemporaryError` naming the target, the option and the last cause. An attempt still running
 * at the deadline is abandoned (its promise is awaited no longer): the caller closes what it may open late.
 */
export async function connectWithin<T>(
  connect: (attempt: number, signal: AbortSignal) => Promise<T>,
  budget: ConnectBudget,
): Promise<T> {
  const option = budget.option ?? 'connectTimeoutMs';
  try {
    return await retry(
      (attempt, signal) => raceAbort(connect(attempt, signal), signal),
      { attempts: Infinity, deadlineMs: budget.connectTimeoutMs, backoff: budget.backoff },
      {
        classify: budget.classify,
        signal: budget.signal,
        deadlineOption: option,
        path: option,
        onAttempt: (report) => {
          if (report.outcome === 'permanent' || report.outcome === 'aborted') return;
          budget.logger?.warn(describeAttempt(`Connecting to ${budget.where}`, report));
        },
      },
    );
  } catch (error) {
    if (!(error instanceof RetriesExhaustedError)) throw error;
    const cause = errorMessage(error.cause);
    throw new TemporaryError(
      `Could not connect to ${budget.where} within ${option} = ${budget.connectTimeoutMs} ms (last failure: ${cause})`,
      { cause: error.cause },
    );
  }
}
