/** Log and error texts of @databus/queue, in one place. */

export const REQUEST_SCOPED_HANDLER = (className: string, method: string): string =>
  `${className}.${method} is a queue handler in a request-scoped provider; queue handlers must live in singleton providers or controllers.`;

export const DUPLICATE_HANDLER = (queue: string, first: string, second: string): string =>
  `Queue "${queue}" has two handlers on the same connection (${first} and ${second}); use one handler per queue.`;

/** One WARN line per failed attempt that is not the end of the message: what happens next, the error's message. */
export const HANDLER_FAILED = (
  where: string,
  attempt: number,
  attempts: number,
  next: string,
  error: string,
): string => `${where} failed on attempt ${attempt} of ${attempts} (${next}): ${error}`;

export const DEAD_LETTERED = (queue: string, target: string, attempts: number, reason: string): string =>
  `A message from "${queue}" was dead-lettered to "${target}" after ${attempts} attempt(s) (${reason}).`;

export const DROPPED = (queue: string, reason: string, why: string): string =>
  `A message from "${queue}" was dropped (${reason}; ${why}).`;

export const AT_MOST_ONCE_RELEASED = (handler: string, count: number): string =>
  `${handler}: ${count} message(s) received but not started were lost (delivery: 'at-most-once', the broker no longer has them).`;

export const SETTLEMENT_FAILED = (queue: string, error: string): string =>
  `Could not settle a message from "${queue}"; the broker will redeliver it: ${error}`;

export const DRAIN_TIMEOUT = (pending: number, timeoutMs: number): string =>
  `Shutdown: ${pending} handler(s) still running after ${timeoutMs} ms; closing anyway (their messages will be redelivered).`;

export const CONNECTED = (url: string, backend: string): string => `Connected to ${url} (${backend}).`;

export const RECONNECTED = (url: string, consumers: number): string =>
  `Reconnected to ${url}; ${consumers} consumer(s) re-attached.`;

export const NOT_CONNECTED = (url: string, waitedMs: number): string =>
  `No connection to ${url} within ${waitedMs} ms; the message was not published.`;

export const CLOSED = 'The task queue connection is closed.';

export const PRIORITY_WITHOUT_MAX = (priority: number): string =>
  `a maxPriority >= ${priority} (enqueue() was given priority ${priority})`;

export const CONSUMER_STATE = (handler: string, state: string): string => `Consumer of ${handler} ${state}.`;

export const CONSUMER_FAILED = (handler: string, error: string): string =>
  `Consumer of ${handler} could not be attached and is stopped: ${error}`;

export const UNKNOWN_HANDLER = (ids: string[]): string =>
  `one of ${ids.map((id) => `"${id}"`).join(', ') || '(no handlers on this connection)'}`;
