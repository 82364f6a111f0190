import type { DatabusError } from '@databus/common';
import { AmqpReplyCode, amqpReplyCode } from '@databus/common/internal';
import { mapAmqpChannelError } from '@databus/common/amqp';

export { AmqpReplyCode };

/** The AMQP reply code of an amqplib error (`error.code` is numeric for protocol errors). */
export const replyCode = amqpReplyCode;

/**
 * Maps a failure of a channel operation through the shared AMQP channel mapping (the same as the queue's
 * RabbitMQ backend): access refused → `AuthenticationError`; protocol errors that repeating cannot fix (a
 * stream declared with other arguments) → `PermanentError`; a missing stream stays retriable (re-subscribing
 * declares it again); everything else (connection or channel lost) is temporary, as `ConsumerError` when
 * `consumer` is set so the runtime re-subscribes.
 */
export function mapChannelError(error: unknown, operation: string, consumer = false): DatabusError {
  return mapAmqpChannelError(error, operation, { consumer });
}
