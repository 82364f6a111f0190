import { randomUUID } from 'node:crypto';
import type { ChannelModel, ConfirmChannel, ConsumeMessage } from 'amqplib';
import { TemporaryError } from '@databus/common';
import { PendingReplies } from '@databus/common/internal';
import { IncomingRecord, OutgoingRecord } from '../../transport/transport-record.interface';
import { AmqpConnection } from './amqp-connection';
import { mapChannelError } from './amqp-error.mapper';
import { publishOptions, toIncomingRecord } from './amqp-wire';

/** RabbitMQ's direct reply-to pseudo-queue: replies come straight back to the consuming channel. */
export const DIRECT_REPLY_TO = 'amq.rabbitmq.reply-to';

/**
 * Request/response over a dataset's stream with RabbitMQ direct reply-to: the request is appended to the
 * stream with `reply_to` and `correlation_id`, from the channel that consumes `amq.rabbitmq.reply-to`
 * (RabbitMQ requires both on one channel), and the responder publishes its reply to that address through
 * the default exchange. Requests waiting when the connection drops fail with `TemporaryError`.
 */
export class AmqpRequester {
  private channel?: Promise<ConfirmChannel>;
  private channelModel?: ChannelModel;
  private readonly pending = new PendingReplies<IncomingRecord>();

  constructor(private readonly connection: AmqpConnection) {}

  async request(
    dataset: string,
    record: OutgoingRecord,
    timeoutMs: number,
    ensureStream: (remainingMs: number) => Promise<void>,
  ): Promise<IncomingRecord> {
    const correlationId = randomUUID();
    const deadline = Date.now() + timeoutMs;
    const reply = this.pending.expect(correlationId, dataset, timeoutMs);
    try {
      await ensureStream(timeoutMs);
      const channel = await this.replyChannel(Math.max(deadline - Date.now(), 1));
      await new Promise<void>((resolve, reject) => {
        channel.publish(
          '',
          dataset,
          record.data,
          publishOptions(record, { replyTo: DIRECT_REPLY_TO, correlationId }),
          (error: unknown) =>
            error ? reject(mapChannelError(error, `Sending a request to "${dataset}"`)) : resolve(),
        );
      });
    } catch (error) {
      this.pending.reject(correlationId, error);
    }
    return reply;
  }

  /** Fails every waiting request and closes the reply channel. */
  async close(): Promise<void> {
    this.pending.rejectAll(new TemporaryError('The amqp transport closed before the reply arrived.'));
    const channel = this.channel;
    this.channel = undefined;
    await channel?.then((c) => c.close()).catch(() => undefined);
  }

  private replyChannel(timeoutMs: number): Promise<ConfirmChannel> {
    if (this.channel && this.channelModel !== this.connection.current) this.channel = undefined;
    if (!this.channel) {
      this.channelModel = this.connection.current;
      const opening = (async () => {
        const channel = await this.connection.channel(true, timeoutMs);
        channel.on('close', () => {
          if (this.channel !== opening) return;
          this.channel = undefined;
          this.pending.rejectAll(new TemporaryError('The connection was lost before the reply arrived.'));
        });
        await channel.consume(DIRECT_REPLY_TO, (message) => this.onReply(message), { noAck: true });
        return channel;
      })();
      this.channel = opening;
      opening.catch(() => {
        if (this.channel === opening) this.channel = undefined;
      });
    }
    return this.channel;
  }

  private onReply(message: ConsumeMessage | null): void {
    const id = message?.properties.correlationId;
    if (!message || typeof id !== 'string') return;
    if (this.pending.destination(id) === undefined) return; // timed out, or not ours
    this.pending.resolve(id, toIncomingRecord(DIRECT_REPLY_TO, message, 0, false));
  }
}
