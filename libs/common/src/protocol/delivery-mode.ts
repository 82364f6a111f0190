/**
 * How a handler's messages are acknowledged, the same word in `@databus/queue` and `@databus/streaming`:
 * - `'at-least-once'` (the default): a message counts as done once its handler resolves; a failure is retried
 *   and then dead-lettered, a crash redelivers it. Nothing is lost; a message may be handled twice.
 * - `'at-most-once'`: the broker forgets a message as it sends it (AMQP `noAck`, pika's `auto_ack=True`). A
 *   message is **lost** when its handler fails, when the process crashes or stops before handling it; it is
 *   never handled twice. Retries and dead letters do not apply.
 * @publicApi
 */
export type DeliveryMode = 'at-least-once' | 'at-most-once';

/** The accepted `delivery` values, for validation. */
export const DELIVERY_MODES: readonly DeliveryMode[] = Object.freeze(['at-least-once', 'at-most-once']);
