import type { Delivery, TaskHeaders, MessageProperties } from '../backends/queue-backend.interface';

/** What a `TaskMessage` settles through (implemented by the runtime). */
export interface ExplicitSettlement {
  ack(delivery: Delivery): Promise<void>;
  retry(delivery: Delivery, attempt: number, delayMs: number | undefined, error?: unknown): Promise<void>;
  reject(delivery: Delivery, attempt: number, error: unknown): Promise<void>;
}

/** Options of `TaskMessage.retry`. @publicApi */
export interface RetryLaterOptions {
  /** Delay before the message comes back; default: the handler's backoff for this attempt. */
  delayMs?: number;
}

/**
 * The message a handler is running for, and its explicit settlement. Inject it with `@TaskContext()` (or
 * Nest's `@Ctx()`). Without explicit settlement the runtime acks when the handler resolves and applies the
 * retry policy when it throws; after `ack()`, `retry()` or `reject()` the runtime does nothing more.
 * @publicApi
 */
export class TaskMessage<T = unknown> {
  private settledAs?: 'ack' | 'retry' | 'reject';

  constructor(
    private readonly delivery: Delivery,
    /** The decoded payload. */
    readonly payload: T,
    /** 1-based attempt number (1 on first delivery; retries count up). */
    readonly attempt: number,
    private readonly settlement: ExplicitSettlement,
  ) {}

  /** The queue the message was consumed from. */
  get queue(): string {
    return this.delivery.queue;
  }

  /** The raw body. */
  get body(): Buffer {
    return this.delivery.body;
  }

  /** All AMQP properties (content type, message id, correlation id, reply-to, headers, …). */
  get properties(): MessageProperties {
    return this.delivery.properties;
  }

  get headers(): TaskHeaders {
    return this.delivery.properties.headers ?? {};
  }

  get messageId(): string | undefined {
    return this.delivery.properties.messageId;
  }

  get correlationId(): string | undefined {
    return this.delivery.properties.correlationId;
  }

  get replyTo(): string | undefined {
    return this.delivery.properties.replyTo;
  }

  /** True when the broker delivered this message before without an ack (after a reconnect or release). */
  get redelivered(): boolean {
    return this.delivery.redelivered;
  }

  /** True once `ack`, `retry` or `reject` was called. */
  get settled(): boolean {
    return this.settledAs !== undefined;
  }

  /** @internal True when the handler explicitly retried or rejected (an RPC reply must not be sent then). */
  get handedBack(): boolean {
    return this.settledAs === 'retry' || this.settledAs === 'reject';
  }

  /** Acknowledges now: the message is done even if the handler later throws. */
  ack(): Promise<void> {
    if (!this.claim('ack')) return Promise.resolve();
    return this.settlement.ack(this.delivery);
  }

  /**
   * Sends the message back to its queue after a delay (through a delay queue, never an immediate requeue).
   * Counts as an attempt: once `retry.attempts` is reached, the message is dead-lettered instead.
   */
  retry(options: RetryLaterOptions = {}): Promise<void> {
    if (!this.claim('retry')) return Promise.resolve();
    return this.settlement.retry(this.delivery, this.attempt, options.delayMs);
  }

  /** Dead-letters the message now (`x-databus-reason: rejected`), with `reason` in its headers. */
  reject(reason?: string | Error): Promise<void> {
    if (!this.claim('reject')) return Promise.resolve();
    const error = reason instanceof Error ? reason : new Error(reason ?? 'rejected by the handler');
    return this.settlement.reject(this.delivery, this.attempt, error);
  }

  private claim(kind: 'ack' | 'retry' | 'reject'): boolean {
    if (this.settledAs) return false;
    this.settledAs = kind;
    return true;
  }
}
