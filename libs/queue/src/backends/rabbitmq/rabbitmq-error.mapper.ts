import { ConfigurationError, DatabusError, redactText } from '@databus/common';
import { AmqpReplyCode, amqpReplyCode, errorMessage } from '@databus/common/internal';
import { mapAmqpChannelError } from '@databus/common/amqp';

export { AmqpReplyCode };

/**
 * Turns an amqplib or socket error into the databus hierarchy, with `cause` kept and secrets masked: a queue
 * declared with other arguments (406 inequivalent arg) → `ConfigurationError`; everything else goes through
 * the shared AMQP channel mapping (`mapAmqpChannelError`, the same as the streaming amqp transport, with a
 * missing queue or exchange permanent): access refused → `AuthenticationError`; 404/405/406/530 →
 * `PermanentError`; refused logins, TLS failures, wrong vhost or port permanent; refused or reset sockets and
 * closed channels `TemporaryError`.
 */
export function mapAmqpError(error: unknown, where: string): DatabusError {
  if (
    amqpReplyCode(error) === AmqpReplyCode.PRECONDITION_FAILED &&
    /inequivalent arg/i.test(errorMessage(error))
  )
    return new ConfigurationError(
      'TaskQueueModule.maxPriority',
      `the same queue arguments as the existing queue (${redactText(errorMessage(error))})`,
      { cause: error },
    );
  return mapAmqpChannelError(error, where, { notFoundIsPermanent: true });
}

/** True for an error that closed only a channel and will happen again if retried as is. */
export function isChannelServerError(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return (
    code === AmqpReplyCode.NOT_FOUND ||
    code === AmqpReplyCode.RESOURCE_LOCKED ||
    code === AmqpReplyCode.PRECONDITION_FAILED ||
    code === AmqpReplyCode.ACCESS_REFUSED
  );
}
