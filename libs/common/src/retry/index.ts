export type { BackoffOptions, ResolvedBackoff } from './backoff';
export { DEFAULT_BACKOFF, resolveBackoff, backoffDelay } from './backoff';
export { sleep } from './sleep';
export type { SleepOptions } from './sleep';
export type { RetryOptions, RetryContext, RetryVerdict, RetryAttemptReport } from './retry';
export { retry, RetriesExhaustedError } from './retry';
export { describeAttempt } from './attempt-log';
export { connectWithin, DEFAULT_CONNECT_TIMEOUT_MS } from './connect-within';
export type { ConnectBudget } from './connect-within';
