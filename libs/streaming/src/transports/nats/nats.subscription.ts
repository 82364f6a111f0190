import type { ConsumerMessages, JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { ConsumerError, DatabusError } from '@databus/common';
import { SubscriptionClosedError } from '../../errors';
import { Offset } from '../../offset/offset';
import { RecordBuffer } from '../../transport/record-buffer';
import { IncomingRecord } from '../../transport/transport-record.interface';
import {
  SubscriptionSpec,
  TransportLogger,
  TransportSubscription,
} from '../../transport/transport.interface';
import { mapNatsError } from './nats-error.mapper';
import { DatasetLocation, NatsStreams } from './nats-streams';
import { fromJsMsg } from './nats-wire';
import { ResolvedNatsOptions } from './nats.options';

/** What a subscription needs from its transport. */
export interface NatsSubscriptionDeps {
  js: JetStreamClient;
  streams: NatsStreams;
  options: ResolvedNatsOptions;
  logger: TransportLogger;
  /** Whether the connection is up (a private consumer is deleted on close only then). */
  connected: () => boolean;
  /** Called once on close. */
  onClose: (sub: NatsSubscription) => void;
}

/**
 * One subscription on a JetStream pull consumer (durable for a group, ephemeral otherwise).
 * A `consume()` loop keeps pull requests of up to `prefetch` messages open; the server never has more than
 * the consumer's `max_ack_pending` delivered and unacknowledged (`prefetch` for a private subscription, the
 * largest member `prefetch` for a group), which bounds the local buffer plus the records handed to the
 * runtime. `fetch` takes from that buffer (see `RecordBuffer`). When the consume loop ends on its own (consumer
 * or stream deleted, connection closed) `fetch` hands out what is buffered, then rejects with `ConsumerError`
 * and the runtime subscribes again.
 */
export class NatsSubscription implements TransportSubscription {
  private messages?: ConsumerMessages;
  private readonly buffer: RecordBuffer<JsMsg>;
  /** Handed to the runtime and not yet acknowledged or given back. */
  private readonly delivered = new Set<JsMsg>();
  private generation = 0;
  private closed = false;
  private pendingAcks: JsMsg[] = [];
  private ackTimer?: NodeJS.Immediate;
  /**
   * The highest stream sequence handed out since the consumer was (re)created. A consumer delivers new
   * messages in stream order, so a lower or equal one is a second delivery even when the server's delivery
   * count says 1: when a consumer leader fails over before the delivered state reached the new one, the new
   * leader delivers again, as first deliveries, what it did not know had gone out.
   */
  private highestSeen = 0;

  constructor(
    private readonly deps: NatsSubscriptionDeps,
    private readonly spec: SubscriptionSpec,
    private readonly at: DatasetLocation,
    private consumerName: string,
  ) {
    this.buffer = new RecordBuffer<JsMsg>({
      handOut: (msg) => {
        this.delivered.add(msg);
        const seenBefore = msg.seq <= this.highestSeen;
        if (!seenBefore) this.highestSeen = msg.seq;
        return fromJsMsg(spec.dataset, msg, seenBefore);
      },
    });
  }

  /** Starts pulling from the consumer. */
  async start(): Promise<void> {
    const generation = ++this.generation;
    let messages: ConsumerMessages;
    try {
      const consumer = await this.deps.js.consumers.get(this.at.stream, this.consumerName);
      messages = await consumer.consume({
        max_messages: this.spec.prefetch,
        expires: this.deps.options.pullExpiresMs,
        abort_on_missing_resource: true,
      });
    } catch (error) {
      throw mapNatsError(error, 'consume', `on "${this.spec.dataset}"`);
    }
    this.messages = messages;
    void this.pump(messages, generation);
    void this.watch(messages);
  }

  fetch(max: number, maxWaitMs: number, signal?: AbortSignal): Promise<IncomingRecord[]> {
    return this.buffer.fetch(max, maxWaitMs, signal);
  }

  /**
   * Acknowledges on the next turn of the event loop, together with every other acknowledgement made until
   * then: one socket write for many messages instead of one each (handlers finish one by one); none is
   * awaited (`ack()`, not `ackAck()`), as the raw client does. The consumer keeps `ack_policy: explicit`:
   * under `all` one ack would also acknowledge every lower sequence of the consumer, including messages
   * another group member (or a slower handler here, with `concurrency` > 1) has not finished, which breaks
   * at-least-once.
   */
  async ack(records: readonly IncomingRecord[]): Promise<void> {
    for (const record of records) {
      const msg = record.token as JsMsg;
      if (this.delivered.delete(msg)) this.pendingAcks.push(msg);
    }
    if (this.pendingAcks.length > 0 && !this.ackTimer) this.ackTimer = setImmediate(() => this.flushAcks());
  }

  async nack(record: IncomingRecord, delayMs: number): Promise<void> {
    const msg = record.token as JsMsg;
    if (!this.delivered.delete(msg)) return;
    try {
      msg.nak(delayMs > 0 ? delayMs : undefined);
    } catch (error) {
      throw mapNatsError(error, 'consume', 'nack');
    }
  }

  async seek(offset: Offset): Promise<void> {
    if (this.closed) throw new SubscriptionClosedError('seek');
    this.flushAcks();
    this.stopPulling();
    this.buffer.restart();
    this.delivered.clear();
    this.highestSeen = 0; // a new consumer: what it delivers again is what the seek asked for
    this.consumerName = await this.deps.streams.recreateConsumer(
      this.spec,
      this.at,
      this.consumerName,
      offset,
    );
    await this.start();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.flushAcks();
    this.stopPulling();
    const buffered = this.buffer.drain();
    this.buffer.close();
    if (this.spec.group === undefined) {
      // While disconnected the server removes it after ephemeralInactiveMs instead.
      if (this.deps.connected())
        await this.deps.streams
          .deleteConsumer(this.at, this.consumerName)
          .catch((error) =>
            this.deps.logger.debug(`nats: ephemeral consumer not deleted: ${error?.message}`),
          );
    } else {
      for (const msg of [...buffered, ...this.delivered]) this.giveBack(msg);
    }
    this.delivered.clear();
    this.deps.onClose(this);
  }

  private flushAcks(): void {
    if (this.ackTimer) clearImmediate(this.ackTimer);
    this.ackTimer = undefined;
    const acks = this.pendingAcks;
    this.pendingAcks = [];
    try {
      for (const msg of acks) msg.ack();
    } catch (error) {
      // The connection is closed: the server delivers these again (at least once).
      this.deps.logger.debug(`nats: acknowledgements not sent: ${(error as Error)?.message}`);
    }
  }

  /**
   * Returns a message to the group without waiting for `ack_wait`. The redelivery is delayed past the
   * lifetime of this subscription's last pull request: nats-server may still route a redelivery to a pull
   * request whose client has gone (the message would then wait `ack_wait`), but never to an expired one.
   */
  private giveBack(msg: JsMsg): void {
    try {
      msg.nak(this.deps.options.pullExpiresMs + 500);
    } catch {
      // The connection is closed: the message comes back after ack_wait instead.
    }
  }

  private stopPulling(): void {
    this.generation++;
    this.messages?.stop();
    this.messages = undefined;
  }

  private async pump(messages: ConsumerMessages, generation: number): Promise<void> {
    let error: unknown;
    try {
      for await (const msg of messages) {
        if (generation !== this.generation) {
          this.giveBack(msg); // arrived after close/seek
          continue;
        }
        this.buffer.push(msg);
      }
    } catch (e) {
      error = e;
    }
    if (generation !== this.generation || this.closed) return;
    const failure: DatabusError =
      error === undefined
        ? new ConsumerError(
            `nats consumer of "${this.spec.dataset}" stopped (deleted, or the connection closed)`,
          )
        : mapNatsError(error, 'consume', `on "${this.spec.dataset}"`);
    this.deps.logger.debug(`nats: ${failure.message}`);
    this.buffer.fail(failure, { keepBuffered: true }); // buffered messages first, then the loss
  }

  /** Logs the consumer's notable notifications (heartbeats and pull bookkeeping are noise). */
  private async watch(messages: ConsumerMessages): Promise<void> {
    for await (const n of messages.status()) {
      if (n.type === 'heartbeat' || n.type === 'next' || n.type === 'discard' || n.type === 'debug') continue;
      this.deps.logger.debug(`nats consumer of "${this.spec.dataset}": ${JSON.stringify(n)}`);
    }
  }
}
