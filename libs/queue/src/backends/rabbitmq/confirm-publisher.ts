import type { ConfirmChannel, Options } from 'amqplib';
import { sleep, TemporaryError } from '@databus/common';
import { TickCoalescer } from '@databus/common/internal';
import { AmqpChannelSlot, publishRetryDelay } from '@databus/common/amqp';
import type { OutgoingMessage } from '../queue-backend.interface';
import { DeadlineEntry, DeadlineQueue } from '../../util/deadline-queue';
import type { ConnectionSupervisor } from './connection-supervisor';
import { isChannelServerError, mapAmqpError } from './rabbitmq-error.mapper';

/** One message of a batch, with where it goes and whether the broker confirmed it. */
interface Publication {
  readonly exchange: string;
  readonly routingKey: string;
  readonly message: OutgoingMessage;
  readonly deadline: number;
  confirmed: boolean;
}

/**
 * Publishes on one confirm channel per connection and resolves each publish on the broker's confirm.
 * - the publishes of one tick to one destination leave as one batch (`TickCoalescer`): one channel lookup,
 *   one deadline and one confirm wait for all of them; each call still resolves only once the broker
 *   confirmed its own message;
 * - all messages are persistent (delivery mode 2);
 * - when the socket's write buffer is full, later publishes wait for `drain` (backpressure, not memory);
 * - when the channel or connection dies before the confirm (or the broker nacks), the messages not
 *   confirmed are published again on the next connection (at-least-once) until the deadline, then the
 *   publish fails with `TemporaryError`;
 * - a channel error the broker will repeat (404, 406) fails at once with a `PermanentError`.
 */
export class ConfirmPublisher {
  private readonly slot = new AmqpChannelSlot((model) => model.createConfirmChannel());
  private blocked?: Promise<void>;
  private readonly deadlines = new DeadlineQueue();
  private readonly batches = new TickCoalescer<Publication, void>((_destination, batch) =>
    this.publishBatch(batch),
  );

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

  /** Publishes `message` (with this tick's other publishes to the same destination); resolves on its confirm. */
  publish(exchange: string, routingKey: string, message: OutgoingMessage, deadline: number): Promise<void> {
    return this.batches.add(`${exchange}\u0000${routingKey}`, {
      exchange,
      routingKey,
      message,
      deadline,
      confirmed: false,
    });
  }

  private async publishBatch(batch: Publication[]): Promise<void[]> {
    const deadline = batch[0].deadline; // the earliest: calls of one tick, in call order
    let pending = batch;
    for (let attempt = 1; ; attempt++) {
      let channel: ConfirmChannel | undefined;
      try {
        channel = await this.getChannel(deadline);
        if (this.blocked) await this.waitForDrain(this.blocked, deadline);
        await this.publishOn(channel, pending, deadline);
        return [];
      } catch (error) {
        const reason = (channel && this.slot.closeReason(channel)) ?? error;
        if (isChannelServerError(reason)) throw mapAmqpError(reason, this.where);
        if (Date.now() >= deadline)
          throw error instanceof TemporaryError
            ? error
            : new TemporaryError(`${this.where}: publish not confirmed before the deadline`, {
                cause: error,
              });
        pending = pending.filter((publication) => !publication.confirmed);
        // A dying connection is not always marked closed yet: pause instead of spinning.
        await sleep(publishRetryDelay(attempt, deadline - Date.now()));
        await this.supervisor.whenConnected(deadline - Date.now());
      }
    }
  }

  /** Publishes `batch` on `channel`; resolves once every message is confirmed, else rejects (after all answered). */
  private publishOn(channel: ConfirmChannel, batch: Publication[], deadline: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      // A blocked broker (resource alarm) may never confirm: the deadline still holds.
      const pending: DeadlineEntry = {
        deadline,
        done: false,
        expire: () => reject(new TemporaryError(`${this.where}: publish not confirmed before the deadline`)),
      };
      this.deadlines.add(pending);
      let waiting = batch.length;
      let failure: unknown;
      const answered = (): void => {
        if (--waiting > 0) return;
        pending.done = true;
        if (failure === undefined) resolve();
        else reject(failure);
      };
      for (const publication of batch) {
        const written = channel.publish(
          publication.exchange,
          publication.routingKey,
          publication.message.body,
          publishOptions(publication.message),
          (error) => {
            if (error) failure ??= error;
            else publication.confirmed = true;
            answered();
          },
        );
        if (!written) this.watchDrain(channel);
      }
    });
  }

  /** Marks the connection blocked until the channel drains (or closes): later publishes wait for it. */
  private watchDrain(channel: ConfirmChannel): void {
    if (this.blocked) return;
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

/** The basic properties of a persistent publish of `message`. */
function publishOptions(message: OutgoingMessage): Options.Publish {
  const p = message.properties;
  return {
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
}
