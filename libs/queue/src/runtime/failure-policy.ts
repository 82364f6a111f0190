import { backoffDelay, DeliveryMode, isPermanentFailure } from '@databus/common';
import { isQuorumDeclaration, QUORUM_DECLARATION } from '@databus/common/amqp';
import type { ConsumeSpec, QueueDeclaration } from '../backends/queue-backend.interface';
import type { ResolvedRetry } from '../options/resolve-options';
import type { DeadLetterReason } from '../wire/wire-format';

/** What to do with a message whose handler failed. @publicApi */
export type OnFailure = 'retry' | 'ack';

/** A handler with its options resolved and validated; what the runtime runs. */
export interface ResolvedHandler {
  /** `Class.method`, for logs. */
  name: string;
  /** The queue (tasks) or exchange (events) it serves, for logs and the default dead-letter name. */
  label: string;
  source: ConsumeSpec;
  concurrency: number;
  retry: ResolvedRetry;
  /** The dead-letter queue, or false to drop (with an error log) instead. */
  deadLetter: string | false;
  onFailure: OnFailure;
  /** Run once per message id through the application's idempotency store. */
  idempotent?: boolean;
  /** `'at-most-once'`: consumed with noAck; a failure is dropped (one WARN line), never retried. */
  delivery: DeliveryMode;
}

/** The outcome of a failure, decided in one place. */
export type FailureDecision =
  | { action: 'ack' }
  | { action: 'retry'; delayMs: number }
  | { action: 'dead-letter'; reason: DeadLetterReason };

/**
 * Decides what a failed attempt leads to:
 * - `onFailure: 'ack'` → ack (the task never comes back);
 * - a permanent failure (`isPermanentFailure` from common, as the streaming runtime decides it: any
 *   non-retriable `DatabusError`, or a 4xx `HttpException` such as a `ValidationPipe` or guard refusal) →
 *   dead-letter at once: retrying cannot help;
 * - the last allowed attempt → dead-letter (`retries-exhausted`);
 * - otherwise → retry after the backoff delay for this attempt.
 */
export function decideOnFailure(
  error: unknown,
  attempt: number,
  handler: Pick<ResolvedHandler, 'onFailure' | 'retry'>,
  random?: () => number,
): FailureDecision {
  if (handler.onFailure === 'ack') return { action: 'ack' };
  if (isPermanentFailure(error)) return { action: 'dead-letter', reason: 'permanent-error' };
  if (attempt >= handler.retry.attempts) return { action: 'dead-letter', reason: 'retries-exhausted' };
  return { action: 'retry', delayMs: backoffDelay(attempt, handler.retry.backoff, random) };
}

/** True when the handler consumes a quorum queue (its delay queues and dead-letter queue are quorum queues too). */
export function consumesQuorumQueue(handler: Pick<ResolvedHandler, 'source'>): boolean {
  const declare = handler.source.queue?.declare;
  return declare !== undefined && isQuorumDeclaration(declare);
}

/**
 * How the handler's dead-letter queue is declared (at bootstrap and with each dead letter): durable, and a
 * quorum queue when the handler's queue is one, so that its failures stay as replicated as the queue.
 */
export function deadLetterQueue(
  handler: Pick<ResolvedHandler, 'source' | 'deadLetter' | 'name'>,
): QueueDeclaration | undefined {
  const name = handler.deadLetter;
  if (name === false) return undefined;
  if (!consumesQuorumQueue(handler)) return { name };
  return { name, declare: QUORUM_DECLARATION, option: `${handler.name} deadLetter "${name}"` };
}
