import { AuthenticationError, DatabusError, errorMessage, PermanentError, TemporaryError } from '../errors';
import { redactText } from '../logging';
import { AmqpReplyCode, amqpReplyCode } from '../protocol';
import { mapAmqpConnectError } from './connect-error.mapper';

/** The reply codes of a channel error that publishing again as is would only repeat. */
const REPEATED = new Set<number>([
  AmqpReplyCode.NOT_FOUND, // no such exchange
  AmqpReplyCode.RESOURCE_LOCKED,
  AmqpReplyCode.PRECONDITION_FAILED, // e.g. a message over the broker's max_message_size
  AmqpReplyCode.NOT_ALLOWED,
]);

/**
 * Maps a failed confirm publish the same way for every databus lib (the queue's RabbitMQ backend and the
 * streaming amqp transport), so one broker fault reads the same from `@databus/streaming` and
 * `@databus/queue`:
 * - the broker refused the access (403 on publish: no write permission) → `AuthenticationError`;
 * - a channel error the broker will repeat (404 no such exchange, 405, 406 e.g. a message over
 *   `max_message_size`, 530) → `PermanentError`;
 * - a permanent connection fault (refused login, untrusted certificate, …) → the shared connect mapping
 *   (`mapAmqpConnectError`);
 * - anything else (nack, channel or connection lost) → `TemporaryError`, published again until the deadline.
 * `where` is the redacted broker address; the broker's text is redacted too.
 */
export function mapAmqpPublishError(error: unknown, where: string): DatabusError {
  if (error instanceof DatabusError) return error;
  const text = redactText(errorMessage(error));
  const code = amqpReplyCode(error);
  if (code === AmqpReplyCode.ACCESS_REFUSED)
    return new AuthenticationError(`The broker at ${where} refused the publish (${text}).`, {
      cause: error,
    });
  if (code !== undefined && REPEATED.has(code))
    return new PermanentError(`The broker at ${where} refused the publish: ${text}`, { cause: error });
  const shared = mapAmqpConnectError(error, where);
  if (!shared.retriable) return shared;
  return new TemporaryError(`Publishing to ${where} failed: ${text}`, { cause: error });
}
