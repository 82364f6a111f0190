import { errorMessage } from '../errors';
import type { RetryAttemptReport } from './retry';

/**
 * The one log line of a failed attempt, the same shape for every retry loop:
 * `<what> failed (attempt 2 of 5): <message>; retrying in 400 ms` (or `; giving up`).
 * `what` names the operation and its target, e.g. `Connecting to amqp://host:5672`; it must hold no secret.
 */
export function describeAttempt(what: string, report: RetryAttemptReport): string {
  const of = Number.isFinite(report.attempts) ? ` of ${report.attempts}` : '';
  const message = errorMessage(report.error);
  const next = report.nextDelayMs === undefined ? 'giving up' : `retrying in ${report.nextDelayMs} ms`;
  return `${what} failed (attempt ${report.attempt}${of}): ${message}; ${next}`;
}
