import { errorMessage, isRetriable, TemporaryError } from '../errors';
import { backoffDelay, BackoffOptions, resolveBackoff } from './backoff';
import { sleep } from './sleep';

/** How a failing operation is retried. @publicApi */
export interface RetryOptions {
  /** Total attempts including the first; 1 means no retry, `Infinity` retries until success or abort. @default 5 */
  attempts?: number;
  /**
   * Time budget of all attempts together, counted from the first attempt: no attempt starts after it and a
   * running attempt is aborted (through the signal handed to it) when it runs out. @default Infinity
   */
  deadlineMs?: number;
  backoff?: BackoffOptions;
}

/** Whether a failure is worth another attempt: `transient` retries, `permanent` fails at once. */
export type RetryVerdict = 'transient' | 'permanent';

/** What one failed attempt looked like, handed to `onAttempt` (one call, so one log line, per attempt). */
export interface RetryAttemptReport {
  /** 1 for the first attempt. */
  attempt: number;
  /** The attempt budget (`Infinity` when only a deadline bounds the loop). */
  attempts: number;
  error: unknown;
  /** Time since the first attempt started. */
  elapsedMs: number;
  /** The wait before the next attempt; `undefined` when this failure ends the loop. */
  nextDelayMs: number | undefined;
  /** Why the loop ends here, when it does. */
  outcome: 'retry' | 'permanent' | 'attempts' | 'deadline' | 'aborted';
}

/** What `retry()` needs besides the options. */
export interface RetryContext {
  /**
   * Decides whether an error is worth another attempt. Either a classifier returning a verdict, or a
   * predicate (true = retry). @default isRetriable (TemporaryError and subclasses are transient)
   */
  classify?: (error: unknown, attempt: number) => RetryVerdict;
  /** Older form of `classify`: true retries. Ignored when `classify` is given. */
  shouldRetry?: (error: unknown, attempt: number) => boolean;
  /** Called once per failed attempt, including the last one, e.g. to print one log line per attempt. */
  onAttempt?: (report: RetryAttemptReport) => void;
  /** Called before each wait, e.g. to log "reconnecting in 400 ms". */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  /** Aborting stops waiting (and the running attempt's signal) at once and rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Option path used in configuration errors. @default 'retry' */
  path?: string;
  /** The user-facing option that set `deadlineMs` (e.g. `connectTimeoutMs`), named when the deadline is hit. */
  deadlineOption?: string;
  /**
   * The option's whole value, named with it when the deadline is hit, where `deadlineMs` is only what is left of
   * that budget (a second retry inside one produce). @default deadlineMs
   */
  deadlineBudgetMs?: number;
  /** The wait between attempts. @default sleep */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /**
   * The failure of an attempt the caller already made outside the loop (a fast path tried first): it counts as
   * attempt 1 (classified, reported and backed off like one) and `operation` is called from attempt 2 on.
   */
  firstFailure?: { error: unknown };
  /** Clock and randomness, replaceable in tests. */
  now?: () => number;
  random?: () => number;
}

/**
 * Thrown when every attempt failed with a transient error, or the deadline ran out; the last failure is the
 * `cause` and its message is kept in this one's. When the deadline cut the last attempt short (its error is the
 * abort reason of the signal the attempt was handed, or has that reason in its `cause` chain), the cause is the
 * failure of the attempt before it (the cut itself says nothing about the target), if there was one.
 * @publicApi
 */
export class RetriesExhaustedError extends TemporaryError {
  constructor(
    readonly attempts: number,
    cause: unknown,
    /** Set when the deadline, not the attempt budget, ended the loop. */
    readonly deadline?: { ms: number; option?: string },
  ) {
    super(exhaustedMessage(attempts, cause, deadline), { cause });
  }
}

function exhaustedMessage(
  attempts: number,
  cause: unknown,
  deadline?: { ms: number; option?: string },
): string {
  const what = errorMessage(cause);
  const tries = `${attempts} attempt${attempts === 1 ? '' : 's'}`;
  if (!deadline) return `Gave up after ${tries}: ${what}`;
  const budget = deadline.option
    ? `${deadline.option} = ${deadline.ms} ms`
    : `a deadline of ${deadline.ms} ms`;
  return `Gave up after ${tries} within ${budget}: ${what}`;
}

/**
 * Runs `operation` until it succeeds, retrying only errors classified transient (by default databus errors
 * marked retriable), with exponential backoff and jitter between attempts, bounded by an attempt budget and
 * an optional deadline.
 * - A permanent error is rethrown unchanged at once.
 * - When the attempts or the deadline run out, a `RetriesExhaustedError` wraps the last error (naming the
 *   deadline option when `deadlineOption` is set).
 * - Aborting `signal` rejects with its reason, without another attempt.
 * - `operation` gets an abort signal that fires at the deadline or on abort: pass it to whatever may hang.
 */
export async function retry<T>(
  operation: (attempt: number, signal: AbortSignal) => Promise<T>,
  options: RetryOptions = {},
  context: RetryContext = {},
): Promise<T> {
  const path = context.path ?? 'retry';
  const attempts = options.attempts ?? 5;
  const deadlineMs = options.deadlineMs ?? Infinity;
  if (!(attempts >= 1)) throw new TypeError(`${path}.attempts must be >= 1`);
  if (!(deadlineMs > 0)) throw new TypeError(`${path}.deadlineMs must be > 0`);
  const backoff = resolveBackoff(options.backoff, `${path}.backoff`);
  const classify = context.classify ?? predicateClassifier(context.shouldRetry);
  const now = context.now ?? Date.now;
  const started = now();
  const deadline = new DeadlineSignal(deadlineMs, context.signal);
  // The last failure an attempt produced itself: when the deadline cuts an attempt short, the final error
  // names this one (say ECONNREFUSED) rather than the cut ("no answer within …").
  let lastOwnFailure: { error: unknown } | undefined;
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        if (attempt === 1 && context.firstFailure) throw context.firstFailure.error;
        return await operation(attempt, deadline.signal);
      } catch (error) {
        const cutShort = deadline.expired && causedBy(error, deadline.signal.reason);
        if (!cutShort) lastOwnFailure = { error };
        const elapsedMs = now() - started;
        const delay = backoffDelay(attempt, backoff, context.random);
        const outcome = context.signal?.aborted
          ? 'aborted'
          : classify(error, attempt) === 'permanent'
            ? 'permanent'
            : attempt >= attempts
              ? 'attempts'
              : deadline.expired || elapsedMs + delay >= deadlineMs
                ? 'deadline'
                : 'retry';
        const nextDelayMs = outcome === 'retry' ? delay : undefined;
        context.onAttempt?.({ attempt, attempts, error, elapsedMs, nextDelayMs, outcome });
        if (outcome === 'aborted') throw context.signal?.reason;
        if (outcome === 'permanent') throw error;
        if (outcome === 'attempts') throw new RetriesExhaustedError(attempt, error);
        if (outcome === 'deadline')
          throw new RetriesExhaustedError(
            attempt,
            cutShort && lastOwnFailure ? lastOwnFailure.error : error,
            {
              ms: context.deadlineBudgetMs ?? deadlineMs,
              option: context.deadlineOption,
            },
          );
        context.onRetry?.(error, attempt, delay);
        await (context.sleep ?? sleep)(delay, context.signal);
      }
    }
  } finally {
    deadline.dispose();
  }
}

/**
 * Whether `error` is `reason` or wraps it in its `cause` chain: an attempt may turn the deadline's abort into an
 * error of its own that says more (what did not answer), keeping the abort as the cause.
 */
function causedBy(error: unknown, reason: unknown): boolean {
  for (let e = error, depth = 0; e !== undefined && e !== null && depth < 8; depth++) {
    if (e === reason) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

function predicateClassifier(
  shouldRetry: RetryContext['shouldRetry'],
): (error: unknown, attempt: number) => RetryVerdict {
  const predicate = shouldRetry ?? ((error: unknown) => isRetriable(error));
  return (error, attempt) => (predicate(error, attempt) ? 'transient' : 'permanent');
}

/** An abort signal that fires when the deadline passes or the outer signal aborts. */
class DeadlineSignal {
  private readonly controller = new AbortController();
  private readonly timer: ReturnType<typeof setTimeout> | undefined;
  private readonly onOuterAbort = (): void => this.controller.abort(this.outer?.reason);
  expired = false;

  constructor(
    deadlineMs: number,
    private readonly outer: AbortSignal | undefined,
  ) {
    if (Number.isFinite(deadlineMs))
      this.timer = setTimeout(() => {
        this.expired = true;
        this.controller.abort(new TemporaryError(`no answer within ${deadlineMs} ms`));
      }, deadlineMs);
    if (outer?.aborted) this.controller.abort(outer.reason);
    else outer?.addEventListener('abort', this.onOuterAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.outer?.removeEventListener('abort', this.onOuterAbort);
  }
}
