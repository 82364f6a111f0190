import {
  AuthenticationError,
  ConsumerError,
  DatabusError,
  errorMessage,
  PermanentError,
  TemporaryError,
} from '../errors';
import { redactText } from '../logging';
import { AmqpReplyCode, amqpReplyCode } from '../protocol';
import { mapAmqpConnectError } from './connect-error.mapper';

/** How a channel operation's failure is read where it differs between uses. */
export interface AmqpChannelErrorOptions {
  /**
   * A missing queue or exchange (404) is permanent (the queue's topology, declared once) rather than
   * retriable (a stream deleted under a subscription, declared again when it re-subscribes).
   * @default false
   */
  notFoundIsPermanent?: boolean;
  /** A retriable failure is a `ConsumerError` (a consumer's channel: the runtime re-subscribes). @default false */
  consumer?: boolean;
}

/**
 * Maps a failed channel operation (declare, consume, get, ack, lock) the same way for both AMQP users (the
 * queue's RabbitMQ backend and the streaming amqp transport); `what` names the operation and where
 * (`Declaring the stream of dataset "readings"`, a redacted broker address):
 * - the broker refused the access (403) → `AuthenticationError`;
 * - a protocol error that repeating cannot fix (405 resource locked, 406 precondition failed, 530 not
 *   allowed; 404 with `notFoundIsPermanent`) → `PermanentError`;
 * - a permanent connection fault (refused login, untrusted certificate, …) → the shared connect mapping;
 * - anything else (channel or connection lost) → `TemporaryError`, or `ConsumerError` with `consumer`.
 * The broker's text is redacted.
 */
export function mapAmqpChannelError(
  error: unknown,
  what: string,
  options: AmqpChannelErrorOptions = {},
): DatabusError {
  if (error instanceof DatabusError) return error;
  const text = redactText(errorMessage(error));
  const code = amqpReplyCode(error);
  if (code === AmqpReplyCode.ACCESS_REFUSED)
    return new AuthenticationError(`${what} was refused by the broker (${text}).`, { cause: error });
  if (
    code === AmqpReplyCode.RESOURCE_LOCKED ||
    code === AmqpReplyCode.PRECONDITION_FAILED ||
    code === AmqpReplyCode.NOT_ALLOWED ||
    (code === AmqpReplyCode.NOT_FOUND && options.notFoundIsPermanent)
  )
    return new PermanentError(`${what} failed: ${text}`, { cause: error });
  const shared = mapAmqpConnectError(error, what);
  if (!shared.retriable) return shared;
  const message = `${what} failed: ${text}`;
  return options.consumer
    ? new ConsumerError(message, { cause: error })
    : new TemporaryError(message, { cause: error });
}
