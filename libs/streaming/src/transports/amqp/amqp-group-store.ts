import type { Channel, ConfirmChannel } from 'amqplib';
import { AmqpReplyCode, mapChannelError, replyCode } from './amqp-error.mapper';
import { decodePosition, encodePosition, StreamPosition } from './amqp-positions';
import { lockQueueName, offsetQueueName } from './amqp-topology';

/**
 * Tries to become the active member of `group` on `dataset`: declares the group's exclusive, auto-delete
 * lock queue and consumes it exclusively on `channel`. Another connection holding it answers 405
 * (RESOURCE_LOCKED), another channel of this connection 403 (exclusive consumer): both mean "not now",
 * and both close `channel`. The lock is released when `channel` (or its connection) closes.
 */
export async function tryLockGroup(channel: Channel, dataset: string, group: string): Promise<boolean> {
  const queue = lockQueueName(dataset, group);
  try {
    await channel.assertQueue(queue, { exclusive: true, autoDelete: true, durable: false });
    await channel.consume(queue, () => undefined, { exclusive: true, noAck: true });
    return true;
  } catch (error) {
    const code = replyCode(error);
    if (code === AmqpReplyCode.RESOURCE_LOCKED || code === AmqpReplyCode.ACCESS_REFUSED) return false;
    throw mapChannelError(error, `Taking the lock of group "${group}" on "${dataset}"`, true);
  }
}

/**
 * Reads the committed position of a group without removing it: `basic.get`, then `nack` with requeue.
 * `undefined` when the group has none (new, or forgotten after `groupExpiryMs`).
 */
export async function readGroupPosition(
  channel: Channel,
  dataset: string,
  group: string,
): Promise<StreamPosition | undefined> {
  try {
    const message = await channel.get(offsetQueueName(dataset, group), { noAck: false });
    if (!message) return undefined;
    channel.nack(message, false, true);
    return decodePosition(message.content);
  } catch (error) {
    throw mapChannelError(error, `Reading the position of group "${group}" on "${dataset}"`, true);
  }
}

/**
 * Commits a group's position: publishes it, persistent and confirmed, to the group's one-message queue
 * (`x-max-length: 1` keeps only the newest).
 */
export function writeGroupPosition(
  channel: ConfirmChannel,
  dataset: string,
  group: string,
  position: StreamPosition,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    try {
      channel.sendToQueue(
        offsetQueueName(dataset, group),
        encodePosition(position),
        { persistent: true, contentType: 'application/json' },
        (error: unknown) =>
          error
            ? reject(
                mapChannelError(error, `Committing the position of group "${group}" on "${dataset}"`, true),
              )
            : resolve(),
      );
    } catch (error) {
      reject(mapChannelError(error, `Committing the position of group "${group}" on "${dataset}"`, true));
    }
  });
}
