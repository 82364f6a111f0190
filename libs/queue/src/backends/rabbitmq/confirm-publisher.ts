import type { ConfirmChannel, Options } from 'amqplib';
import { sleep, TemporaryError } from '@databus/common';
import { AmqpChannelSlot, publishRetryDelay } from '@databus/common/amqp';
import type { OutgoingMessage } from '../queue-backend.interface';
import { DeadlineEntry, DeadlineQueue } from '../../util/deadline-queue';
import type { ConnectionSupervisor } from './connection-supervisor';
import { isChannelServerError, mapAmqpError } from './rabbitmq-error.mapper';

/**
 * Publishes on one confirm channel per connection and resolves each publish on the broker's confirm.
 * - all messages are persistent (delivery mode 2);
 * - when the socket's write buffer is full, later publishes wait for `drain` (backpressure, not memory);
 * - when the channel or connection dies before the confirm, the message is published again on the next
 *   connection (at-least-once) until `deadline`, then the publish fails with `TemporaryError`;
 * - a channel error the broker will repeat (404, 406) fails at once with a `PermanentError`.
 */
export class ConfirmPublisher {
  private readonly slot = new AmqpChannelSlot((model) => model.createConfirmChannel());
  private blocked?: Promise<void>;
  private readonly deadlines = new DeadlineQueue();

  constructor(
    private readonly supervisor: ConnectionSupervisor,
    private readonly where: string,
  ) {}

  /** Fails every publish still waiting for a confirm (the backend is closing). */
  close(): void {
    this.deadlines.expireAll();
  }

  /** Drops the channel of a previous connection. */
  reset(): void {
    this.slot.reset();
    this.blocked = undefined;
  }

  async publish(
    exchange: string,
    routingKey: string,
    message: OutgoingMessage,
    deadline: number,
  ): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      let channel: ConfirmChannel | undefined;
      try {
        channel = await this.getChannel(deadline);
        if (this.blocked) await this.waitForDrain(this.blocked, deadline);
        await this.publishOn(channel, exchange, routingKey, message, deadline);
        return;
      } catch (error) {
        const reason = (channel && this.slot.closeReason(channel)) ?? error;
        if (isChannelServerError(reason)) throw mapAmqpError(reason, this.where);
        if (Date.now() >= deadline)
          throw error instanceof TemporaryError
            ? error
            : new TemporaryError(`${this.where}: publish not confirmed before the deadline`, {
                cause: error,
              });
        // A dying connection is not always marked closed yet: pause instead of spinning.
        await sleep(publishRetryDelay(attempt, deadline - Date.now()));
        await this.supervisor.whenConnected(deadline - Date.now());
      }
    }
  }

  private publishOn(
    channel: ConfirmChannel,
    exchange: string,
    routingKey: string,
    message: OutgoingMessage,
    deadline: number,
  ): Promise<void> {
    const p = message.properties;
    const options: Options.Publish = {
      persistent: true,
      contentType: p.contentType,
      contentEncoding: p.contentEncoding,
      messageId: p.messageId,
      correlationId: p.correlationId,
      replyTo: p.replyTo,
      headers: p.headers,
      priority: p.priority,
      timestamp: p.timestamp,
      type: p.type,
      appId: p.appId,
    };
    return new Promise<void>((resolve, reject) => {
      // A blocked broker (resource alarm) may never confirm: the deadline still holds.
      const pending: DeadlineEntry = {
        deadline,
        done: false,
        expire: () => reject(new TemporaryError(`${this.where}: publish not confirmed before the deadline`)),
      };
      this.deadlines.add(pending);
      const written = channel.publish(exchange, routingKey, message.body, options, (error) => {
        pending.done = true;
        if (error) reject(error);
        else resolve();
      });
      if (!written && !this.blocked) {
        const blocked = new Promise<void>((release) => {
          const done = (): void => {
            channel.off('drain', done);
            channel.off('close', done);
            if (this.blocked === blocked) this.blocked = undefined;
            release();
          };
          channel.on('drain', done);
          channel.on('close', done);
        });
        this.blocked = blocked;
      }
    });
  }

  private async waitForDrain(blocked: Promise<void>, deadline: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new TemporaryError(`${this.where}: the connection stayed blocked until the deadline`)),
        Math.max(0, deadline - Date.now()),
      );
      timer.unref();
    });
    try {
      await Promise.race([blocked, expired]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async getChannel(deadline: number): Promise<ConfirmChannel> {
    return this.slot.get(await this.supervisor.whenConnected(deadline - Date.now()));
  }
}
