import type { LoggerService } from '@nestjs/common';
import { backoffDelay, redactText } from '@databus/common';
import type {
  Delivery,
  TaskHeaders,
  OutgoingMessage,
  QueueBackend,
  QueueDeclaration,
} from '../backends/queue-backend.interface';
import type { DeliveryOutcome, HandlerObserver } from '../observability/handler-observer';
import { noopHandlerObserver } from '../observability/handler-observer';
import { DEAD_LETTERED, DROPPED, HANDLER_FAILED, SETTLEMENT_FAILED } from '../queue.messages';
import { carriedHeaders, DeadLetterReason, encodeBody, WireHeaders } from '../wire/wire-format';
import { consumesQuorumQueue, deadLetterQueue, decideOnFailure, ResolvedHandler } from './failure-policy';
import type { ExplicitSettlement } from './task-message';

const MAX_ERROR_TEXT = 1000;

/**
 * Carries out settlements for one handler, the same way on every backend:
 * - ack: `backend.ack`;
 * - retry: a copy with `x-databus-attempt + 1` goes through a delay queue back to the queue, confirmed,
 *   and only then is the original acked (a crash in between duplicates, never loses);
 * - dead-letter: a copy with the error, reason and attempts in `x-databus-*` headers goes to the
 *   dead-letter queue, confirmed, then the original is acked; an RPC caller gets an error reply;
 * - if a republish fails, the original is released (nack + requeue) for the broker to deliver again.
 * Each settlement records the delivery's outcome (read once with `outcomeOf`) and reports failures and
 * dead letters to the observer.
 */
export class Settlement implements ExplicitSettlement {
  private readonly outcomes = new WeakMap<Delivery, DeliveryOutcome>();
  /** The handler's queue is a quorum queue: its delay queues are quorum queues too. */
  private readonly quorum: boolean;
  private readonly deadLetterQueue?: QueueDeclaration;

  constructor(
    private readonly backend: QueueBackend,
    private readonly handler: ResolvedHandler,
    private readonly logger: LoggerService,
    private readonly observer: HandlerObserver = noopHandlerObserver,
  ) {
    this.quorum = consumesQuorumQueue(handler);
    this.deadLetterQueue = deadLetterQueue(handler);
  }

  /** How the delivery was settled (undefined: not by this settlement, e.g. the runner's plain ack). */
  outcomeOf(delivery: Delivery): DeliveryOutcome | undefined {
    const outcome = this.outcomes.get(delivery);
    this.outcomes.delete(delivery);
    return outcome;
  }

  async ack(delivery: Delivery): Promise<void> {
    this.outcomes.set(delivery, 'ok');
    this.backend.ack(delivery);
  }

  /** Applies the failure policy to a thrown error. */
  async fail(delivery: Delivery, attempt: number, error: unknown): Promise<void> {
    const decision = decideOnFailure(error, attempt, this.handler);
    // A retry or an ack is one WARN line; a dead letter is one ERROR line (below). Stacks only at debug.
    if (decision.action !== 'dead-letter') {
      const next =
        decision.action === 'retry'
          ? `retrying in ${decision.delayMs} ms`
          : this.handler.delivery === 'at-most-once'
            ? "dropped, delivery: 'at-most-once'"
            : "acked, onFailure: 'ack'";
      this.logger.warn(
        HANDLER_FAILED(this.handler.name, attempt, this.handler.retry.attempts, next, errorText(error)),
      );
    }
    if (error instanceof Error && error.stack) this.logger.debug?.(redactText(error.stack));
    this.observer.failed(delivery, attempt, error, decision.action === 'retry');
    if (decision.action === 'ack') {
      this.outcomes.set(delivery, 'dropped');
      return this.backend.ack(delivery);
    }
    if (decision.action === 'retry') return this.republish(delivery, attempt, decision.delayMs);
    return this.deadLetter(delivery, attempt, decision.reason, error);
  }

  async retry(delivery: Delivery, attempt: number, delayMs: number | undefined): Promise<void> {
    if (attempt >= this.handler.retry.attempts)
      return this.deadLetter(
        delivery,
        attempt,
        'retries-exhausted',
        new Error('retry() called on the last attempt'),
      );
    return this.republish(delivery, attempt, delayMs ?? backoffDelay(attempt, this.handler.retry.backoff));
  }

  reject(delivery: Delivery, attempt: number, error: unknown): Promise<void> {
    return this.deadLetter(delivery, attempt, 'rejected', error);
  }

  async deadLetter(
    delivery: Delivery,
    attempts: number,
    reason: DeadLetterReason,
    error: unknown,
  ): Promise<void> {
    const target = this.handler.deadLetter;
    this.outcomes.set(delivery, target === false ? 'dropped' : 'dead_lettered');
    try {
      if (target === false)
        this.logger.error(
          DROPPED(
            this.handler.label,
            `${reason}: ${errorText(error)}`,
            this.handler.delivery === 'at-most-once' ? "delivery is 'at-most-once'" : 'deadLetter is false',
          ),
        );
      else {
        const headers = carriedHeaders(delivery.properties.headers);
        headers[WireHeaders.REASON] = reason;
        headers[WireHeaders.ERROR_NAME] = errorName(error);
        headers[WireHeaders.ERROR] = errorText(error);
        headers[WireHeaders.ATTEMPTS] = attempts;
        headers[WireHeaders.ORIGINAL_QUEUE] = this.handler.label;
        headers[WireHeaders.FAILED_AT] = new Date().toISOString();
        await this.backend.send(target, copyOf(delivery, headers), this.deadLetterQueue);
        this.logger.error(
          DEAD_LETTERED(this.handler.label, target, attempts, `${reason}: ${errorText(error)}`),
        );
      }
      this.observer.deadLettered(delivery, target, reason, attempts, error);
      if (delivery.properties.replyTo) await this.replyError(delivery, error);
      this.backend.ack(delivery);
    } catch (failure) {
      this.release(delivery, failure);
    }
  }

  /** Sends a handler's result to the caller of `TaskQueue.request()`. */
  async reply(delivery: Delivery, result: unknown): Promise<void> {
    return this.sendReply(delivery, 'ok', result);
  }

  private async replyError(delivery: Delivery, error: unknown): Promise<void> {
    return this.sendReply(delivery, 'error', { name: errorName(error), message: errorText(error) });
  }

  /** The reply to `delivery`'s `replyTo`, with its correlation id and `status` (`ok` or `error`). */
  private async sendReply(delivery: Delivery, status: 'ok' | 'error', value: unknown): Promise<void> {
    const { body, contentType } = encodeBody(value);
    await this.backend.send(delivery.properties.replyTo as string, {
      body,
      properties: {
        contentType,
        correlationId: delivery.properties.correlationId,
        headers: { [WireHeaders.STATUS]: status },
      },
    });
  }

  private async republish(delivery: Delivery, attempt: number, delayMs: number): Promise<void> {
    this.outcomes.set(delivery, 'retried');
    try {
      const headers = carriedHeaders(delivery.properties.headers);
      headers[WireHeaders.ATTEMPT] = attempt + 1;
      await this.backend.sendDelayed(delivery.queue, copyOf(delivery, headers), delayMs, this.quorum);
      this.backend.ack(delivery);
    } catch (failure) {
      this.release(delivery, failure);
    }
  }

  private release(delivery: Delivery, failure: unknown): void {
    this.outcomes.set(delivery, 'abandoned');
    this.logger.error(SETTLEMENT_FAILED(this.handler.label, errorText(failure)));
    this.backend.nack(delivery, true);
  }
}

function copyOf(delivery: Delivery, headers: TaskHeaders): OutgoingMessage {
  return { body: delivery.body, properties: { ...delivery.properties, headers } };
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}

/** The error's message, secrets masked, bounded in length. */
export function errorText(error: unknown): string {
  const text = redactText(error instanceof Error ? error.message : String(error));
  return text.length > MAX_ERROR_TEXT ? `${text.slice(0, MAX_ERROR_TEXT)}…` : text;
}
