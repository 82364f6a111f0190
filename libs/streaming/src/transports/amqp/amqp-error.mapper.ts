import {
  AuthenticationError,
  ConsumerError,
  DatabusError,
  PermanentError,
  redactText,
  TemporaryError,
} from '@databus/common';
import { AmqpReplyCode, amqpReplyCode } from '@databus/common/internal';

export { AmqpReplyCode };

/** The AMQP reply code of an amqplib error (`error.code` is numeric for protocol errors). */
export const replyCode = amqpReplyCode;

/** The broker's message without secrets, for our own error messages. */
function describe(error: unknown): string {
  return redactText(error instanceof Error ? error.message : String(error));
}

/**
 * Maps a failure of a channel operation. Protocol errors that repeating cannot fix (a stream declared with
 * other arguments, access refused on a queue) are permanent; everything else (connection or channel lost)
 * is temporary, as `ConsumerError` when `consumer` is set so the runtime re-subscribes.
 */
export function mapChannelError(error: unknown, operation: string, consumer = false): DatabusError {
  if (error instanceof DatabusError) return error;
  const text = describe(error);
  const code = replyCode(error);
  if (code === AmqpReplyCode.ACCESS_REFUSED)
    return new AuthenticationError(`${operation} was refused by the broker (${text}).`, { cause: error });
  if (code === AmqpReplyCode.PRECONDITION_FAILED || code === AmqpReplyCode.NOT_ALLOWED)
    return new PermanentError(`${operation} failed: ${text}`, { cause: error });
  const message = `${operation} failed: ${text}`;
  return consumer
    ? new ConsumerError(message, { cause: error })
    : new TemporaryError(message, { cause: error });
}
