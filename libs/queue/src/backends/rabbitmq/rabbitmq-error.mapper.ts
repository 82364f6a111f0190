import {
  AuthenticationError,
  ConfigurationError,
  DatabusError,
  PermanentError,
  redactText,
  TemporaryError,
} from '@databus/common';
import { AmqpReplyCode } from '@databus/common/internal';
import { mapAmqpConnectError } from '@databus/common/amqp';

export { AmqpReplyCode };

/**
 * Turns an amqplib or socket error into the databus hierarchy, with `cause` kept and secrets masked:
 * - channel errors: access refused (403) → `AuthenticationError`; a queue declared with other arguments
 *   (406 inequivalent arg) → `ConfigurationError`; 404/405/406 → `PermanentError`;
 * - everything else goes through the shared AMQP connect mapping (`mapAmqpConnectError`, the same as the
 *   streaming amqp transport): refused logins, TLS failures, wrong vhost or port are permanent, refused or
 *   reset sockets and closed channels `TemporaryError`.
 */
export function mapAmqpError(error: unknown, where: string): DatabusError {
  if (error instanceof DatabusError) return error;
  const code = (error as { code?: unknown })?.code;
  const message = redactText(String((error as { message?: string })?.message ?? error));
  if (code === AmqpReplyCode.ACCESS_REFUSED)
    return new AuthenticationError(`${where} refused the credentials or the access: ${message}`, {
      cause: error,
    });
  if (code === AmqpReplyCode.PRECONDITION_FAILED && /inequivalent arg/i.test(message))
    return new ConfigurationError(
      'TaskQueueModule.maxPriority',
      `the same queue arguments as the existing queue (${message})`,
      { cause: error },
    );
  if (
    code === AmqpReplyCode.NOT_FOUND ||
    code === AmqpReplyCode.RESOURCE_LOCKED ||
    code === AmqpReplyCode.PRECONDITION_FAILED
  )
    return new PermanentError(`${where}: ${message}`, { cause: error });
  const shared = mapAmqpConnectError(error, where);
  return shared.retriable ? new TemporaryError(`${where}: ${message}`, { cause: error }) : shared;
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
