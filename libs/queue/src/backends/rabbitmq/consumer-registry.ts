import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import type { LoggerService } from '@nestjs/common';
import { backoffDelay, ConfigurationError, ResolvedBackoff } from '@databus/common';
import { settlesWithin } from '@databus/common/internal';
import { AmqpAckBatcher } from '@databus/common/amqp';
import type {
  BackendConsumer,
  ConsumeSpec,
  Delivery,
  DeliveryListener,
  MessageProperties,
} from '../queue-backend.interface';
import { isChannelServerError, mapAmqpError } from './rabbitmq-error.mapper';
import { declareFanout, declareWorkQueue } from './topology';

const CLOSE_TIMEOUT_MS = 2000;

interface ConsumerEntry {
  readonly spec: ConsumeSpec;
  readonly listener: DeliveryListener;
  active: boolean;
  slot?: ChannelSlot;
  queueName: string;
  failures: number;
  lastError?: string;
  retryTimer?: NodeJS.Timeout;
}

/**
 * One consumer's channel: deliveries are settled on it, and only while it is open, through its ack batcher
 * (one multiple ack per tick for the settled prefix).
 */
class ChannelSlot {
  open = true;
  outstanding = 0;
  consumerTag?: string;
  readonly settler: AmqpAckBatcher;

  constructor(
    readonly channel: Channel,
    readonly entry: ConsumerEntry,
  ) {
    this.settler = new AmqpAckBatcher(channel);
  }
}

/** A delivery from RabbitMQ, tied to the channel it arrived on. */
export class RabbitDelivery implements Delivery {
  readonly body: Buffer;
  readonly properties: MessageProperties;
  readonly redelivered: boolean;

  constructor(
    readonly message: ConsumeMessage,
    readonly slot: ChannelSlot,
    readonly queue: string,
  ) {
    this.body = message.content;
    this.properties = message.properties as MessageProperties;
    this.redelivered = message.fields.redelivered;
  }
}

/**
 * The consumers of one backend. Each has its own channel (its own prefetch) and is attached:
 * - when created, if connected;
 * - once per new connection (`attachAll`), only while active: a cancelled consumer is removed first, so a
 *   reconnect never brings it back;
 * - again after its channel alone failed (server cancel, channel error), with backoff, on the same connection.
 * Exclusive queues are declared anew (server-named) at each attach and bound to their exchange.
 */
export class ConsumerRegistry {
  private readonly entries = new Set<ConsumerEntry>();
  private readonly closing = new Set<Promise<void>>();
  private connection?: ChannelModel;
  private generation = 0;

  constructor(
    private readonly backoff: ResolvedBackoff,
    private readonly logger: LoggerService,
    private readonly where: string,
  ) {}

  /** Active consumers that have a live channel now. */
  attachedCount(): number {
    let n = 0;
    for (const entry of this.entries) if (entry.slot?.open) n++;
    return n;
  }

  async add(spec: ConsumeSpec, listener: DeliveryListener): Promise<BackendConsumer> {
    const entry: ConsumerEntry = {
      spec,
      listener,
      active: true,
      queueName: spec.queue?.name ?? '',
      failures: 0,
    };
    this.entries.add(entry);
    if (this.connection) {
      try {
        await this.attach(entry, this.connection, this.generation);
      } catch (error) {
        this.entries.delete(entry);
        throw mapAmqpError(error, this.where);
      }
    }
    return {
      get queueName() {
        return entry.queueName;
      },
      get health() {
        return { attached: entry.slot?.open === true, failures: entry.failures, error: entry.lastError };
      },
      cancel: () => this.cancel(entry),
    };
  }

  /** Attaches every active consumer to a new connection; returns how many were attached. */
  async attachAll(connection: ChannelModel, generation: number): Promise<number> {
    this.connection = connection;
    this.generation = generation;
    let attached = 0;
    for (const entry of [...this.entries]) {
      if (!entry.active) continue;
      clearTimeout(entry.retryTimer);
      entry.slot = undefined;
      try {
        await this.attach(entry, connection, generation);
        attached++;
      } catch (error) {
        // A channel-level refusal (e.g. queue arguments) must not take the other consumers down.
        if (!isChannelServerError(error) && !(error instanceof ConfigurationError)) throw error;
        this.scheduleRetry(entry, generation, error);
      }
    }
    return attached;
  }

  ack(delivery: RabbitDelivery): void {
    const slot = delivery.slot;
    if (!slot.open || slot.entry.spec.noAck) return; // acking a noAck delivery would close the channel
    slot.outstanding--;
    slot.settler.ack(delivery.message); // a closed channel: the broker requeues it, nothing to do here
    this.closeIfIdle(slot);
  }

  nack(delivery: RabbitDelivery, requeue: boolean): void {
    const slot = delivery.slot;
    if (!slot.open || slot.entry.spec.noAck) return;
    slot.outstanding--;
    slot.settler.nack(delivery.message, requeue);
    this.closeIfIdle(slot);
  }

  /** The connection is gone: nothing is attached until `attachAll` runs for the next one. */
  detach(): void {
    this.connection = undefined;
  }

  /**
   * Forgets every consumer and closes their channels. Awaiting each channel's close-ok before the
   * connection closes makes the broker apply every ack and nack sent on it first.
   */
  async clear(): Promise<void> {
    for (const entry of this.entries) {
      entry.active = false;
      clearTimeout(entry.retryTimer);
      if (entry.slot?.open) this.closeSlot(entry.slot);
    }
    this.entries.clear();
    this.connection = undefined;
    // Bounded: a broker that stopped answering must not hold the application's shutdown.
    await settlesWithin(Promise.all([...this.closing]), CLOSE_TIMEOUT_MS);
  }

  private async attach(entry: ConsumerEntry, connection: ChannelModel, generation: number): Promise<void> {
    const { spec } = entry;
    const channel = await connection.createChannel();
    const slot = new ChannelSlot(channel, entry);
    channel.on('error', (error: Error) => {
      // A refusal while attaching is reported by attach's caller; this is for a channel that was working.
      if (entry.active && entry.slot === slot)
        this.logger.warn(
          `Consumer channel of "${entry.queueName}" failed: ${mapAmqpError(error, this.where).message}`,
        );
    });
    channel.on('close', () => this.onChannelClosed(slot, generation));
    try {
      if (!spec.noAck) await channel.prefetch(spec.prefetch, false);
      let queue = spec.queue?.name;
      if (spec.queue) await declareWorkQueue(channel, spec.queue, this.where);
      else
        queue = (await channel.assertQueue('', { exclusive: true, autoDelete: true, durable: false })).queue;
      if (spec.bindExchange) {
        await declareFanout(channel, { ...spec.exchange, name: spec.bindExchange }, this.where);
        await channel.bindQueue(queue as string, spec.bindExchange, '');
      }
      if (!entry.active || generation !== this.generation) {
        slot.open = false;
        await channel.close().catch(() => undefined);
        return;
      }
      entry.queueName = queue as string;
      const onMessage = (message: ConsumeMessage | null): void => {
        if (message === null) return this.onServerCancel(slot, generation);
        if (!spec.noAck) {
          slot.outstanding++;
          slot.settler.track(message);
        }
        entry.listener(new RabbitDelivery(message, slot, entry.queueName));
      };
      const { consumerTag } = await channel.consume(entry.queueName, onMessage, {
        noAck: spec.noAck === true,
      });
      slot.consumerTag = consumerTag;
      entry.slot = slot;
      entry.failures = 0;
      entry.lastError = undefined;
    } catch (error) {
      slot.open = false;
      await channel.close().catch(() => undefined);
      throw error;
    }
  }

  private async cancel(entry: ConsumerEntry): Promise<void> {
    if (!entry.active) return;
    entry.active = false;
    this.entries.delete(entry);
    clearTimeout(entry.retryTimer);
    const slot = entry.slot;
    if (!slot?.open || !slot.consumerTag) return;
    await slot.channel.cancel(slot.consumerTag).catch(() => undefined);
    this.closeIfIdle(slot);
  }

  /** A cancelled consumer's channel stays open until its last delivery is settled, then closes. */
  private closeIfIdle(slot: ChannelSlot): void {
    if (slot.entry.active || slot.outstanding > 0 || !slot.open) return;
    this.closeSlot(slot);
  }

  private closeSlot(slot: ChannelSlot): void {
    slot.open = false;
    slot.settler.flush(); // the settlements marked this tick go before the close
    const closing = slot.channel.close().catch(() => undefined);
    this.closing.add(closing);
    void closing.then(() => this.closing.delete(closing));
  }

  private onServerCancel(slot: ChannelSlot, generation: number): void {
    this.logger.warn(
      `The broker cancelled the consumer of "${slot.entry.queueName}" (queue deleted?); re-attaching.`,
    );
    slot.open = false;
    slot.settler.flush();
    void slot.channel.close().catch(() => undefined);
    this.onChannelClosed(slot, generation);
  }

  private onChannelClosed(slot: ChannelSlot, generation: number): void {
    slot.open = false;
    const entry = slot.entry;
    if (entry.slot !== slot) return;
    entry.slot = undefined;
    if (entry.active && generation === this.generation && this.connection)
      this.scheduleRetry(entry, generation);
  }

  private scheduleRetry(entry: ConsumerEntry, generation: number, error?: unknown): void {
    entry.failures++;
    const delay = backoffDelay(entry.failures, this.backoff);
    if (error) {
      entry.lastError = mapAmqpError(error, this.where).message;
      // One line per state change: the first failure, then every tenth while it lasts.
      if (entry.failures === 1 || entry.failures % 10 === 0)
        this.logger.error(
          `Cannot consume "${entry.queueName}" (attempt ${entry.failures}, retrying in ${delay} ms): ${entry.lastError}`,
        );
    }
    clearTimeout(entry.retryTimer);
    entry.retryTimer = setTimeout(() => {
      entry.retryTimer = undefined;
      const connection = this.connection;
      // A newer connection attaches this consumer itself (attachAll): never twice.
      if (!entry.active || entry.slot || generation !== this.generation || !connection) return;
      this.attach(entry, connection, generation).catch((failure: unknown) => {
        if (entry.active && generation === this.generation) this.scheduleRetry(entry, generation, failure);
      });
    }, delay);
    entry.retryTimer.unref();
  }
}
