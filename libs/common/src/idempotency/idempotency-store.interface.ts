/** One delivery an idempotent handler is about to process. @publicApi */
export interface IdempotentDelivery {
  /** The handler (`Class.method`): each handler processes a message id once. */
  readonly consumer: string;
  /** The producer-assigned message id (`x-databus-message-id` header, AMQP message id). */
  readonly messageId: string;
}

/** What an idempotency store made of one delivery. @publicApi */
export type IdempotentOutcome<T> = { duplicate: false; result: T } | { duplicate: true };

/**
 * The inbox seam of `idempotent: true` handlers (`@OnDatasetMessage`, `@TaskHandler`): streaming and queue
 * call it around the handler and know nothing of the database behind it. `@databus/outbox` implements it on
 * PostgreSQL (the id is recorded in the handler's own transaction) and on Redis.
 * @publicApi
 */
export interface IdempotencyStore {
  /**
   * Runs `handler` unless `delivery.messageId` was already processed by `delivery.consumer`, and records the
   * id when it resolves; a failing handler records nothing (the message is retried as usual). Resolves
   * `{ duplicate: true }` without running the handler for a message processed before.
   */
  run<T>(delivery: IdempotentDelivery, handler: () => Promise<T>): Promise<IdempotentOutcome<T>>;
}

/** The injection token an idempotency store is provided under (`OutboxModule` provides one). @publicApi */
export const IDEMPOTENCY_STORE = 'DATABUS_IDEMPOTENCY_STORE';
