import type { ConsumerMessages, JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { ConsumerError, DatabusError } from '@databus/common';
import { SubscriptionClosedError } from '../../errors';
import { Offset } from '../../offset/offset';
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
  /** Called once on close, with where a replacement should resume (see `resumeSequence`). */
  onClose: (sub: NatsSubscription, resume: number | undefined) => void;
}

/**
 * One subscription on a JetStream pull consumer (durable for a group, ephemeral otherwise).
 * A `consume()` loop keeps pull requests of up to `prefetch` messages open; the server never has more than
 * the consumer's `max_ack_pending` delivered and unacknowledged (`prefetch` for a private subscription, the
 * largest member `prefetch` for a group), which bounds the local buffer plus the records handed to the
 * runtime. `fetch` takes from that buffer, waiting up to
 * `maxWaitMs` for the `max`-th record. When the consume loop ends on its own (consumer or stream deleted,
 * connection closed) `fetch` rejects with `ConsumerError` and the runtime subscribes again.
 */
export class NatsSubscription implements TransportSubscription {
  private messages?: ConsumerMessages;
  private buffer: JsMsg[] = [];
  /** Handed to the runtime and not yet acknowledged or given back. */
  private readonly delivered = new Set<JsMsg>();
  private generation = 0;
  private failure?: DatabusError;
  private waiter?: () => void;
  private closed = false;
  /** Highest stream sequence handed to the runtime. */
  private lastTaken = 0;
  private pendingAcks: JsMsg[] = [];
  private ackTimer?: NodeJS.Immediate;

  constructor(
    private readonly deps: NatsSubscriptionDeps,
    private readonly spec: SubscriptionSpec,
    private readonly at: DatasetLocation,
    private consumerName: string,
  ) {}

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

  async fetch(max: number, maxWaitMs: number, signal?: AbortSignal): Promise<IncomingRecord[]> {
    if (this.closed) throw new SubscriptionClosedError('fetch');
    const out: IncomingRecord[] = [];
    this.take(out, max);
    if (out.length < max && maxWaitMs > 0 && !signal?.aborted && !this.failure)
      await this.waitForMore(out, max, maxWaitMs, signal);
    if (out.length === 0 && this.failure) throw this.failure;
    return out;
  }

  /**
   * Acknowledges on the next turn of the event loop, together with every other acknowledgement made until
   * then: one socket write for many messages instead of one each (handlers finish one by one).
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
    this.buffer = [];
    this.delivered.clear();
    this.lastTaken = 0;
    this.failure = undefined;
    this.consumerName = await this.deps.streams.recreateConsumer(
      this.spec,
      this.at,
      this.consumerName,
      offset,
    );
    await this.start();
  }

  /**
   * Where a replacement of this (private) subscription should start: the oldest message handed out and
   * not acknowledged, else the one after the last handed out; `undefined` before anything was handed out.
   */
  resumeSequence(): number | undefined {
    let oldest: number | undefined;
    for (const msg of this.delivered) if (oldest === undefined || msg.seq < oldest) oldest = msg.seq;
    return oldest ?? (this.lastTaken > 0 ? this.lastTaken + 1 : undefined);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    const resume = this.resumeSequence();
    this.closed = true;
    this.flushAcks();
    this.stopPulling();
    this.wake();
    if (this.spec.group === undefined) {
      // While disconnected the server removes it after ephemeralInactiveMs instead.
      if (this.deps.connected())
        await this.deps.streams
          .deleteConsumer(this.at, this.consumerName)
          .catch((error) =>
            this.deps.logger.debug(`nats: ephemeral consumer not deleted: ${error?.message}`),
          );
    } else {
      for (const msg of [...this.buffer, ...this.delivered]) this.giveBack(msg);
    }
    this.buffer = [];
    this.delivered.clear();
    this.deps.onClose(this, resume);
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
        this.wake();
      }
    } catch (e) {
      error = e;
    }
    if (generation !== this.generation || this.closed) return;
    this.failure =
      error === undefined
        ? new ConsumerError(
            `nats consumer of "${this.spec.dataset}" stopped (deleted, or the connection closed)`,
          )
        : mapNatsError(error, 'consume', `on "${this.spec.dataset}"`);
    this.deps.logger.debug(`nats: ${this.failure.message}`);
    this.wake();
  }

  /** Logs the consumer's notable notifications (heartbeats and pull bookkeeping are noise). */
  private async watch(messages: ConsumerMessages): Promise<void> {
    for await (const n of messages.status()) {
      if (n.type === 'heartbeat' || n.type === 'next' || n.type === 'discard' || n.type === 'debug') continue;
      this.deps.logger.debug(`nats consumer of "${this.spec.dataset}": ${JSON.stringify(n)}`);
    }
  }

  private take(out: IncomingRecord[], max: number): void {
    while (out.length < max && this.buffer.length > 0) {
      const msg = this.buffer.shift() as JsMsg;
      this.delivered.add(msg);
      if (msg.seq > this.lastTaken) this.lastTaken = msg.seq;
      out.push(fromJsMsg(this.spec.dataset, msg));
    }
  }

  private waitForMore(
    out: IncomingRecord[],
    max: number,
    maxWaitMs: number,
    signal?: AbortSignal,
  ): Promise<void> {
    return new Promise<void>((resolve) => {
      const finish = (): void => {
        clearTimeout(timer);
        this.waiter = undefined;
        signal?.removeEventListener('abort', finish);
        resolve();
      };
      const timer = setTimeout(finish, maxWaitMs);
      timer.unref();
      signal?.addEventListener('abort', finish, { once: true });
      this.waiter = () => {
        this.take(out, max);
        if (out.length >= max || this.failure || this.closed) finish();
      };
    });
  }

  private wake(): void {
    this.waiter?.();
  }
}
