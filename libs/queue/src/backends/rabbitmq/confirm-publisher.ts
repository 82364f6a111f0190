import type { ConfirmChannel, Options } from 'amqplib';
import { sleep, TemporaryError } from '@databus/common';
import type { OutgoingMessage } from '../queue-backend.interface';
import type { ConnectionSupervisor } from './connection-supervisor';
import { isChannelServerError, mapAmqpError } from './rabbitmq-error.mapper';

const RETRY_PAUSE_MS = 25;

/**
 * Publishes on one confirm channel per connection and resolves each publish on the broker's confirm.
 * - all messages are persistent (delivery mode 2);
 * - when the socket's write buffer is full, later publishes wait for `drain` (backpressure, not memory);
 * - when the channel or connection dies before the confirm, the message is published again on the next
 *   connection (at-least-once) until `deadline`, then the publish fails with `TemporaryError`;
 * - a channel error the broker will repeat (404, 406) fails at once with a `PermanentError`.
 */
export class ConfirmPublisher {
  private channel?: Promise<ConfirmChannel>;
  private blocked?: Promise<void>;
  private readonly closeReasons = new WeakMap<ConfirmChannel, Error>();

  constructor(
    private readonly supervisor: ConnectionSupervisor,
    private readonly where: string,
  ) {}

  /** Drops the channel of a previous connection. */
  reset(): void {
    this.channel = undefined;
    this.blocked = undefined;
  }

  async publish(
    exchange: string,
    routingKey: string,
    message: OutgoingMessage,
    deadline: number,
  ): Promise<void> {
    for (;;) {
      let channel: ConfirmChannel | undefined;
      try {
        channel = await this.getChannel(deadline);
        if (this.blocked) await this.blocked;
        await this.publishOn(channel, exchange, routingKey, message);
        return;
      } catch (error) {
        const reason = (channel && this.closeReasons.get(channel)) ?? error;
        if (isChannelServerError(reason)) throw mapAmqpError(reason, this.where);
        if (Date.now() >= deadline)
          throw error instanceof TemporaryError
            ? error
            : new TemporaryError(`${this.where}: publish not confirmed before the deadline`, {
                cause: error,
              });
        // A dying connection is not always marked closed yet: pause briefly instead of spinning.
        await sleep(RETRY_PAUSE_MS);
        await this.supervisor.whenConnected(deadline - Date.now());
      }
    }
  }

  private publishOn(
    channel: ConfirmChannel,
    exchange: string,
    routingKey: string,
    message: OutgoingMessage,
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
      const written = channel.publish(exchange, routingKey, message.body, options, (error) =>
        error ? reject(error) : resolve(),
      );
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

  private async getChannel(deadline: number): Promise<ConfirmChannel> {
    if (this.channel) return this.channel;
    const connection = await this.supervisor.whenConnected(deadline - Date.now());
    if (!this.channel) {
      const opening = connection.createConfirmChannel().then((channel) => {
        channel.on('error', (error: Error) => this.closeReasons.set(channel, error));
        channel.on('close', () => {
          if (this.channel === opening) this.channel = undefined;
        });
        return channel;
      });
      opening.catch(() => {
        if (this.channel === opening) this.channel = undefined;
      });
      this.channel = opening;
    }
    return this.channel;
  }
}
