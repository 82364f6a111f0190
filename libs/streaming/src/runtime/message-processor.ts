import {
  backoffDelay,
  describeAttempt,
  isPermanentFailure,
  redactText,
  ResolvedBackoff,
  retry,
  sleep,
} from '@databus/common';
import { tracingActive, withMessagingSpan } from '@databus/common/internal';
import { decodePayload, encodePayload, PayloadDecoding } from '../message/codec';
import { DatasetMessage } from '../message/dataset-message';
import { DatabusHeaders } from '../message/headers';
import { OutgoingRecord } from '../transport/transport-record.interface';
import { StreamingTransport, TransportLogger } from '../transport/transport.interface';
import { deadLetterDataset, DeadLetterTarget } from '../options/resolve-consumer-options';
import { deadLetterRecord, describeError } from './failure-policy';
import { isThenable } from './keyed-scheduler';

/** Calls the user's code with the decoded payload and the message; resolves with its return value. */
export type MessageInvoker = (payload: unknown, message: DatasetMessage) => Promise<unknown> | unknown;

/** What happened to a message: finished (acknowledge it) or abandoned at shutdown (leave it to redelivery). */
export type ProcessOutcome = 'done' | 'abandoned';

interface Attempted {
  result: ProcessOutcome;
  deadLettered?: boolean;
}
const DONE: Attempted = Object.freeze({ result: 'done' });
const ABANDONED: Attempted = Object.freeze({ result: 'abandoned' });

/** Failure handling of one handler, resolved from its options. */
export interface ProcessorPolicy {
  dataset: string;
  group?: string;
  decode: PayloadDecoding;
  /** Handler runs per message, including the first. */
  attempts: number;
  backoff: ResolvedBackoff;
  /**
   * Dataset that receives messages after the last attempt, `false` to log and drop them, or (a dataset
   * pattern) a suffix giving each message's own dataset its dead-letter dataset.
   */
  deadLetter: DeadLetterTarget;
  /** `delivery: 'at-most-once'`: a failure is dropped with one WARN line (one attempt, no dead letter). */
  atMostOnce?: boolean;
  /** Backoff between attempts to write to the dead-letter dataset while the broker is unavailable. */
  reconnect: ResolvedBackoff;
  /**
   * Record an OpenTelemetry `process` span per message. Nothing is done per message (no span, no context)
   * while `@opentelemetry/api` is missing or no tracer provider is registered. @default true
   */
  tracing?: boolean;
}

/** Observes what the processor does (metrics, events, tests). */
export interface ProcessorObserver {
  onRetry?(message: DatasetMessage, attempt: number, error: unknown): void;
  onDeadLetter?(message: DatasetMessage, error: unknown, attempts: number): void;
  /** After every message, with how it ended and how long it took. */
  onProcessed?(message: DatasetMessage, outcome: ProcessOutcome | 'dead-lettered', durationMs: number): void;
}

/**
 * Runs a handler for one message with the suite's delivery semantics, the same on every transport:
 * - decode the payload (a body that cannot be decoded is dead-lettered at once);
 * - call the handler; on failure retry with exponential backoff and jitter, unless the error is permanent;
 * - after the last attempt, write the message to the dead-letter dataset with the error in its headers
 *   (retrying that write while the broker is down), so consumption goes on and nothing is dropped silently;
 * - send the handler's return value (or the failure) to the reply address when the message has one.
 * Aborting `signal` (shutdown) stops waiting between attempts: the message is then abandoned unacknowledged.
 */
export class MessageProcessor {
  constructor(
    private readonly invoke: MessageInvoker,
    private readonly policy: ProcessorPolicy,
    private readonly transport: StreamingTransport,
    private readonly logger: TransportLogger,
    private readonly signal: AbortSignal,
    private readonly observer: ProcessorObserver = {},
  ) {}

  /**
   * Processes one message. Returns the outcome directly when the handler finished synchronously on its first
   * attempt (no tracer provider registered, no reply to send): no promise per message then; otherwise a
   * promise of it.
   */
  process(message: DatasetMessage): ProcessOutcome | Promise<ProcessOutcome> {
    if (this.policy.tracing !== false && tracingActive()) return this.processTraced(message);
    const started = this.observer.onProcessed ? performance.now() : 0;
    let result: unknown;
    try {
      result = this.invoke(decodePayload(message.record, this.policy.decode, message), message);
    } catch (error) {
      return this.finishAsync(message, this.retry(message, error), started);
    }
    if (isThenable(result) || message.replyTo) return this.completeAsync(message, result, started);
    this.observer.onProcessed?.(message, 'done', performance.now() - started);
    return 'done';
  }

  private async processTraced(message: DatasetMessage): Promise<ProcessOutcome> {
    const started = this.observer.onProcessed ? performance.now() : 0;
    const outcome = await withMessagingSpan(
      {
        system: this.transport.name,
        destination: message.dataset,
        operation: 'process',
        group: this.policy.group,
        attributes: { 'messaging.message.body.size': message.data.length },
      },
      message.headers as Record<string, string>,
      () => this.attempt(message),
    );
    this.observer.onProcessed?.(
      message,
      outcome.deadLettered ? 'dead-lettered' : outcome.result,
      performance.now() - started,
    );
    return outcome.result;
  }

  private async finishAsync(
    message: DatasetMessage,
    pending: Promise<Attempted>,
    started: number,
  ): Promise<ProcessOutcome> {
    const outcome = await pending;
    this.observer.onProcessed?.(
      message,
      outcome.deadLettered ? 'dead-lettered' : outcome.result,
      performance.now() - started,
    );
    return outcome.result;
  }

  /** The first attempt, then retries (traced path). */
  private async attempt(message: DatasetMessage): Promise<Attempted> {
    let value: unknown;
    try {
      const payload = decodePayload(message.record, this.policy.decode, message);
      value = await this.invoke(payload, message);
    } catch (error) {
      return this.retry(message, error);
    }
    if (message.replyTo) await this.sendReply(message, encodePayload(value), {});
    return DONE;
  }

  /**
   * Awaits the first attempt's result, sends the reply, reports: one async frame for a handler that returned
   * a promise. Retries when it rejects.
   */
  private async completeAsync(
    message: DatasetMessage,
    result: unknown,
    started: number,
  ): Promise<ProcessOutcome> {
    let value: unknown;
    try {
      value = await result;
    } catch (error) {
      return this.finishAsync(message, this.retry(message, error), started);
    }
    if (message.replyTo) await this.sendReply(message, encodePayload(value), {});
    this.observer.onProcessed?.(message, 'done', performance.now() - started);
    return 'done';
  }

  /** Attempts after the first one failed with `firstError`, then the dead-letter path. */
  private async retry(message: DatasetMessage, firstError: unknown): Promise<Attempted> {
    let lastError = firstError;
    let attempt = 1;
    while (!isPermanentFailure(lastError) && attempt < this.policy.attempts) {
      this.observer.onRetry?.(message, attempt, lastError);
      const delay = backoffDelay(attempt, this.policy.backoff);
      // One WARN line per retry, the error's message only; its stack at debug.
      this.logger.warn(
        `Handler for "${message.dataset}" failed on message ${message.sequence} (attempt ${attempt} of ${this.policy.attempts}; retrying in ${delay} ms): ${describeError(lastError).message}`,
      );
      if (lastError instanceof Error && lastError.stack) this.logger.debug(redactText(lastError.stack));
      try {
        await sleep(delay, this.signal);
      } catch {
        return ABANDONED;
      }
      attempt++;
      try {
        const payload = decodePayload(message.record, this.policy.decode, message);
        const result = await this.invoke(payload, message);
        if (message.replyTo) await this.sendReply(message, encodePayload(result), {});
        return DONE;
      } catch (error) {
        lastError = error;
      }
    }
    const result = await this.giveUp(message, lastError, attempt);
    return { result, deadLettered: result === 'done' };
  }

  private async giveUp(message: DatasetMessage, error: unknown, attempts: number): Promise<ProcessOutcome> {
    const { name, message: text } = describeError(error);
    if (this.policy.atMostOnce) {
      this.logger.warn(
        `Dropping message ${message.sequence} of "${message.dataset}" (dropped, delivery: 'at-most-once'): ${name}: ${text}`,
      );
    } else {
      const deadLetter = deadLetterDataset(this.policy.deadLetter, message.dataset);
      if (deadLetter === false) {
        this.logger.error(
          `Dropping message ${message.sequence} of "${message.dataset}" after ${attempts} attempt(s) (deadLetter: false): ${name}: ${text}`,
        );
      } else {
        const record = deadLetterRecord(message, error, attempts, this.policy.group);
        if (!(await this.writeDeadLetter(deadLetter, record))) return 'abandoned';
        this.logger.error(
          `Message ${message.sequence} of "${message.dataset}" moved to "${deadLetter}" after ${attempts} attempt(s): ${name}: ${text}`,
        );
      }
    }
    this.observer.onDeadLetter?.(message, error, attempts);
    if (message.replyTo)
      await this.sendReply(message, encodePayload(null), {
        [DatabusHeaders.ERROR_NAME]: name,
        [DatabusHeaders.ERROR_MESSAGE]: text,
      });
    return 'done';
  }

  /**
   * Writes the dead letter, retrying every failure (the broker may be down) on the shared retry policy, paced
   * by `reconnect`, one WARN line per attempt, until it is stored or shutdown aborts (then false: the message
   * is not acknowledged and comes back).
   */
  private async writeDeadLetter(dataset: string, record: OutgoingRecord): Promise<boolean> {
    try {
      await retry(
        () => this.transport.produce(dataset, [record]),
        { attempts: Number.POSITIVE_INFINITY, backoff: this.policy.reconnect },
        {
          classify: () => 'transient',
          signal: this.signal,
          onAttempt: (report) =>
            this.logger.warn(describeAttempt(`Writing to dead-letter dataset "${dataset}"`, report)),
        },
      );
      return true;
    } catch {
      return false; // aborted by shutdown
    }
  }

  private async sendReply(
    message: DatasetMessage,
    body: { data: Buffer; contentType: string },
    extra: Record<string, string>,
  ): Promise<void> {
    try {
      await this.transport.reply(message.replyTo as string, message.correlationId, {
        headers: { [DatabusHeaders.CONTENT_TYPE]: body.contentType, ...extra },
        data: body.data,
      });
    } catch (error) {
      this.logger.warn(
        `Could not send the reply to a request on "${message.dataset}": ${(error as Error)?.message}`,
      );
    }
  }
}
