import type { Channel, ConsumeMessage } from 'amqplib';
import { DatabusError, UnsupportedFeatureError } from '@databus/common';
import { amqpDeclarationMismatch, amqpQueueArgs } from '@databus/common/amqp';
import { SubscriptionClosedError, SubscriptionLostError } from '../../errors';
import type { ResolvedAmqpDataset } from '../../transport/amqp-dataset';
import { RecordBuffer } from '../../transport/record-buffer';
import { IncomingRecord } from '../../transport/transport-record.interface';
import { SubscriptionSpec, TransportSubscription } from '../../transport/transport.interface';
import { AmqpConnection } from './amqp-connection';
import { mapChannelError } from './amqp-error.mapper';
import { toIncomingRecord } from './amqp-wire';

/** What a queue subscription needs from its transport. */
export interface AmqpQueueSubscriptionDeps {
  connection: AmqpConnection;
  /** Bound of opening the channel and declaring. */
  operationTimeoutMs: number;
  onClose: (sub: AmqpQueueSubscription) => void;
}

/** The acknowledgement handle of a record: its delivery and the channel it came on. */
interface Token {
  message: ConsumeMessage;
  channel: Channel;
}

/**
 * A subscription to a dataset kept as a plain queue or fanout exchange (`amqp` option), for interop with
 * programs such as the course's pika ones. It consumes on its own channel:
 * - a queue: the dataset's queue itself (every subscriber competes for its messages);
 * - an exchange: a private subscription binds an exclusive, server-named, auto-delete queue (every subscriber
 *   gets every message); a group binds `<dataset>.<group>`, declared with the exchange's durability (its
 *   members share it).
 * Records carry the delivery tag as their sequence; an ack acknowledges up to the last finished record
 * (`multiple`), so a crash redelivers what was not finished. With `noAck` (`delivery: 'at-most-once'`) the
 * broker forgets each message as it sends it and acks do nothing. No history: `start` does not apply and
 * `seek` is an `UnsupportedFeatureError`. A lost channel or connection fails `fetch` with
 * `SubscriptionLostError`, and the runtime subscribes again.
 */
export class AmqpQueueSubscription implements TransportSubscription {
  private channel?: Channel;
  private consumerTag?: string;
  private closed = false;
  private lost?: DatabusError;
  private readonly buffer: RecordBuffer<IncomingRecord>;
  private outstanding = 0;
  private readonly offLost: () => void;

  constructor(
    private readonly spec: SubscriptionSpec,
    private readonly target: ResolvedAmqpDataset,
    private readonly deps: AmqpQueueSubscriptionDeps,
  ) {
    this.buffer = new RecordBuffer<IncomingRecord>({
      handOut: (record) => {
        if (!spec.noAck) this.outstanding++;
        return record;
      },
      room: () => spec.prefetch - this.outstanding,
    });
    this.offLost = deps.connection.onLost((error) =>
      this.fail(
        new SubscriptionLostError(`The subscription to "${spec.dataset}" lost its connection.`, {
          cause: error,
        }),
      ),
    );
  }

  async start(): Promise<void> {
    const { dataset, group, noAck } = this.spec;
    const channel = await this.deps.connection.channel(false, this.deps.operationTimeoutMs);
    this.channel = channel;
    channel.on('error', () => undefined); // 'close' follows and fails the subscription
    channel.on('close', () => {
      if (!this.closed)
        this.fail(new SubscriptionLostError(`The channel of the subscription to "${dataset}" closed.`));
    });
    let queue = dataset;
    try {
      if (this.target.kind === 'exchange') queue = await this.bindQueue(channel, dataset, group);
      if (!noAck) await channel.prefetch(this.spec.prefetch);
      const { consumerTag } = await channel.consume(queue, (message) => this.onDelivery(channel, message), {
        noAck: noAck === true,
      });
      this.consumerTag = consumerTag;
    } catch (error) {
      if (error instanceof DatabusError) throw error;
      throw mapChannelError(error, `Consuming the ${this.target.kind} of "${dataset}"`, true);
    }
  }

  fetch(max: number, maxWaitMs: number, signal?: AbortSignal): Promise<IncomingRecord[]> {
    if (this.closed) return Promise.reject(new SubscriptionClosedError('fetch'));
    return this.buffer.fetch(max, maxWaitMs, signal);
  }

  async ack(records: readonly IncomingRecord[]): Promise<void> {
    if (this.spec.noAck || records.length === 0) return;
    const token = records[records.length - 1].token as Token | undefined;
    this.outstanding = Math.max(0, this.outstanding - records.length);
    this.buffer.wake();
    if (!token || token.channel !== this.channel || this.lost) return; // the broker redelivers those
    try {
      token.channel.ack(token.message, true);
    } catch {
      // The channel closed meanwhile: the broker redelivers what was not acknowledged.
    }
  }

  async nack(record: IncomingRecord): Promise<void> {
    const token = record.token as Token | undefined;
    if (this.spec.noAck || !token || token.channel !== this.channel) return;
    this.outstanding = Math.max(0, this.outstanding - 1);
    token.channel.nack(token.message, false, true);
  }

  async seek(): Promise<void> {
    throw new UnsupportedFeatureError(
      'amqp',
      'seek on a dataset kept as a plain queue or exchange (amqp option)',
      `"${this.spec.dataset}" is a ${this.target.kind} and has no history`,
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.offLost();
    this.buffer.close();
    const channel = this.channel;
    this.channel = undefined;
    if (channel && this.consumerTag) await channel.cancel(this.consumerTag).catch(() => undefined);
    await channel?.close().catch(() => undefined); // unacknowledged deliveries go back to the queue
    this.deps.onClose(this);
  }

  /** Declares and binds the queue an exchange subscriber consumes; returns its name. */
  private async bindQueue(channel: Channel, dataset: string, group: string | undefined): Promise<string> {
    if (group === undefined) {
      const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
      await channel.bindQueue(queue, dataset, '');
      return queue;
    }
    const queue = `${dataset}.${group}`;
    const declare = { ...this.target.declare, exclusive: false, autoDelete: false, arguments: {} };
    try {
      await channel.assertQueue(queue, amqpQueueArgs(declare));
    } catch (error) {
      throw (
        amqpDeclarationMismatch(error, { kind: 'queue', name: queue, option: this.target.option }) ??
        mapChannelError(error, `Declaring the queue of group "${group}" on "${dataset}"`, true)
      );
    }
    await channel.bindQueue(queue, dataset, '');
    return queue;
  }

  private onDelivery(channel: Channel, message: ConsumeMessage | null): void {
    if (this.closed || channel !== this.channel) return;
    if (message === null) {
      this.fail(
        new SubscriptionLostError(
          `The broker cancelled the consumer of "${this.spec.dataset}" (queue deleted?).`,
        ),
      );
      return;
    }
    const record = toIncomingRecord(this.spec.dataset, message, message.fields.deliveryTag);
    record.token = { message, channel } satisfies Token;
    this.buffer.push(record);
  }

  private fail(error: DatabusError): void {
    if (this.lost || this.closed) return;
    this.lost = error;
    this.buffer.fail(error);
  }
}
