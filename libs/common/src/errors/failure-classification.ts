import { DatabusError } from './databus.error';

/**
 * Whether a failed handler will fail the same way however often its message is retried, so it should go to
 * the dead-letter destination at once. Used by the streaming runtime and the task queue alike:
 * - any `DatabusError` that says it is not retriable (`PermanentError` and its subclasses such as
 *   `PayloadDecodeError`, or a `DatabusError` built with `retriable: false`): permanent;
 * - an error with a 4xx `getStatus()` (a Nest `HttpException` such as a `ValidationPipe` rejection or a
 *   guard's `ForbiddenException`): permanent, the same message will be refused again;
 * - anything else (including 5xx and plain errors): retry, up to the configured attempts.
 */
export function isPermanentFailure(error: unknown): boolean {
  if (error instanceof DatabusError) return !error.retriable;
  const getStatus = (error as { getStatus?: unknown } | null | undefined)?.getStatus;
  if (typeof getStatus !== 'function') return false;
  const status: unknown = getStatus.call(error);
  return typeof status === 'number' && status >= 400 && status < 500;
}
