import type { Channel, ConfirmChannel, ConsumeMessage } from 'amqplib';
import { DatabusError, PermanentError } from '@databus/common';
import { AmqpAckBatcher } from '@databus/common/amqp';
import { SubscriptionClosedError, SubscriptionLostError } from '../../errors';
import { Offset } from '../../offset/offset';
import { RecordBuffer } from '../../transport/record-buffer';
import { IncomingRecord } from '../../transport/transport-record.interface';
import {
  SubscriptionSpec,
  TransportLogger,
  TransportSubscription,
} from '../../transport/transport.interface';
import { AmqpConnection } from './amqp-connection';
import { AmqpReplyCode, mapChannelError, replyCode } from './amqp-error.mapper';
import { readGroupPosition, tryLockGroup, writeGroupPosition } from './amqp-group-store';
import { positionOf, StreamPosition, streamOffsetArgument } from './amqp-positions';
import { AmqpTopology } from './amqp-topology';
import { producedBefore, streamOffset, toIncomingRecord } from './amqp-wire';

/** What a subscription needs from its transport. */
export interface AmqpSubscriptionDeps {
  connection: AmqpConnection;
  topology: AmqpTopology;
  logger: TransportLogger;
  /** Bound of broker operations (opening channels, declaring, committing). */
  operationTimeoutMs: number;
  lockPollMs: number;
}

/** The acknowledgement handle of a record: its delivery and the consumer generation it came from. */
interface Token {
  message: ConsumeMessage;
  epoch: number;
}

/**
 * One subscription to a dataset's stream.
 * - Private (no group): consumes from `spec.start` on its own channel.
 * - Group member: consumes only while it holds the group's lock queue (one active member per group, so each
 *   message reaches one member); otherwise it is on standby, polling for the lock every `lockPollMs`, and its
 *   fetches return nothing. The active member starts at the group's committed position (or `spec.start` for a
 *   new group) and commits the offset after the last acknowledged record to the group's position store.
 * Deliveries are acknowledged to the broker for credit; a lost channel or connection makes `fetch` reject
 * with `SubscriptionLostError` so the runtime re-subscribes from the committed position (a private
 * subscription is re-subscribed by the runtime with the position to resume from as its start).
 * At most `prefetch` records are handed out unacknowledged (RabbitMQ grants stream credit per chunk, so the
 * buffer itself may exceed `prefetch` by up to one chunk).
 */
export class AmqpSubscription implements TransportSubscription {
  private state: 'standby' | 'active' | 'closed' = 'standby';
  /** The consuming channel: a confirm channel for a group member (it writes positions), else a plain one. */
  private channel?: Channel;
  /** Settles the deliveries of `channel` (credit for the broker), one multiple ack per tick. */
  private settler?: AmqpAckBatcher;
  private settlerChannel?: Channel;
  private consumerTag?: string;
  private epoch = 0;
  private readonly buffer: RecordBuffer<IncomingRecord>;
  /** Offsets handed out and not acknowledged yet, in delivery order. */
  private readonly outstanding: number[] = [];
  private lost?: DatabusError;
  private pollTimer?: NodeJS.Timeout;
  private refreshTimer?: NodeJS.Timeout;
  /** Deliveries produced before this time are skipped (a start by time is chunk-granular at the broker). */
  private skipBeforeMs?: number;
  /** After a symbolic start (first, next, time), the first delivered offset is committed at once. */
  private pinFirst = false;
  private commits: Promise<void> = Promise.resolve();
  /** The position the next write to the group's position store commits (the newest one asked for). */
  private planned?: StreamPosition;
  private readonly offLost: () => void;

  constructor(
    private readonly spec: SubscriptionSpec,
    private readonly deps: AmqpSubscriptionDeps,
    private readonly onClose: (sub: AmqpSubscription) => void,
  ) {
    this.buffer = new RecordBuffer<IncomingRecord>({
      handOut: (record) => {
        this.outstanding.push(record.sequence);
        return record;
      },
      room: () => spec.prefetch - this.outstanding.length,
    });
    this.offLost = deps.connection.onLost((error) =>
      this.fail(
        new SubscriptionLostError(`The subscription to "${spec.dataset}" lost its connection.`, {
          cause: error,
        }),
      ),
    );
  }

  /** Read through a getter: `close()` may change the state while an activation awaits the broker. */
  private get isClosed(): boolean {
    return this.state === 'closed';
  }

  /** True while this member consumes (a private subscription always does once started). */
  get active(): boolean {
    return this.state === 'active';
  }

  /** Opens the subscription: a private one consumes at once, a group member takes the lock or goes on standby. */
  async start(): Promise<void> {
    const { dataset, group, start } = this.spec;
    if (group === undefined) {
      this.channel = await this.openConsumerChannel(false);
      await this.consumeFrom(positionOf(start, dataset));
      this.state = 'active';
      return;
    }
    if (start.kind === 'none' && !(await this.peekPosition())) positionOf(start, dataset, group); // throws NoCommittedPositionError
    if (!(await this.tryActivate())) this.schedulePoll();
  }

  async fetch(max: number, maxWaitMs: number, signal?: AbortSignal): Promise<IncomingRecord[]> {
    if (this.state === 'closed') throw new SubscriptionClosedError('fetch');
    return this.buffer.fetch(max, maxWaitMs, signal);
  }

  /**
   * Acknowledges `records` (the broker's credit at once) and commits the offset after the last one; resolves
   * once that position, or a later one, is confirmed. Not an async function: the pending commit must not keep
   * `records` (and the socket chunks their bodies are slices of) alive until the broker confirms it, a few
   * scavenges later.
   */
  ack(records: readonly IncomingRecord[]): Promise<void> {
    const last = records[records.length - 1];
    const token = last?.token as Token | undefined;
    const settler = this.settler;
    if (!token || !settler || token.epoch !== this.epoch || this.state !== 'active' || this.lost)
      return Promise.resolve();
    settler.ackThrough(token.message); // credit for the broker; the position is what counts
    while (this.outstanding.length > 0 && this.outstanding[0] <= last.sequence) this.outstanding.shift();
    this.buffer.wake(); // room for more
    return this.commit({ kind: 'offset', offset: last.sequence + 1 });
  }

  /** Streams cannot redeliver one message: the capability is off and the runtime never calls this. */
  async nack(): Promise<void> {
    throw new PermanentError('The amqp transport (RabbitMQ streams) cannot redeliver a single message.');
  }

  async seek(offset: Offset): Promise<void> {
    if (this.state === 'closed') throw new SubscriptionClosedError('seek');
    if (this.lost) throw this.lost;
    const position = positionOf(offset, this.spec.dataset, this.spec.group);
    const channel = this.channel;
    if (this.state === 'standby' || !channel) {
      // Not the active member: record the group's new position; the active member keeps its own.
      const temp = await this.openConfirmChannel();
      try {
        await writeGroupPosition(temp, this.spec.dataset, this.spec.group as string, position);
      } finally {
        await temp.close().catch(() => undefined);
      }
      return;
    }
    this.epoch++;
    try {
      if (this.consumerTag) await channel.cancel(this.consumerTag);
      this.settlerOf(channel).ackAll();
    } catch (error) {
      throw mapChannelError(error, `Seeking on "${this.spec.dataset}"`, true);
    }
    this.buffer.clear();
    this.outstanding.length = 0;
    await this.commit(position);
    await this.consumeFrom(position);
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    clearTimeout(this.pollTimer);
    clearInterval(this.refreshTimer);
    this.offLost();
    this.buffer.close();
    this.outstanding.length = 0;
    await this.commits.catch(() => undefined);
    const channel = this.channel;
    this.channel = undefined;
    this.settler?.flush();
    this.settler = undefined;
    await channel?.close().catch(() => undefined); // releases the group lock; unacked deliveries are dropped
    this.onClose(this);
  }

  private async tryActivate(): Promise<boolean> {
    const { dataset, group } = this.spec as SubscriptionSpec & { group: string };
    const channel = await this.openConsumerChannel(true);
    if (!(await tryLockGroup(channel, dataset, group)) || this.state === 'closed') {
      await channel.close().catch(() => undefined);
      return false;
    }
    this.channel = channel;
    try {
      let position = await readGroupPosition(channel, dataset, group);
      if (!position) {
        position = positionOf(this.spec.start, dataset, group);
        await writeGroupPosition(channel, dataset, group, position);
      }
      await this.consumeFrom(position);
    } catch (error) {
      this.channel = undefined;
      await channel.close().catch(() => undefined);
      throw error;
    }
    if (this.isClosed) {
      // closed while taking over: give the lock back
      await channel.close().catch(() => undefined);
      return false;
    }
    this.state = 'active';
    this.keepGroupAlive();
    this.deps.logger.debug(`Active member of group "${group}" on "${dataset}"`);
    this.buffer.wake();
    return true;
  }

  private schedulePoll(): void {
    if (this.state !== 'standby' || this.lost) return;
    this.pollTimer = setTimeout(() => {
      this.tryActivate().then(
        (ok) => (ok ? undefined : this.schedulePoll()),
        (error) => this.fail(mapChannelError(error, `Joining group "${this.spec.group}"`, true)),
      );
    }, this.deps.lockPollMs);
    this.pollTimer.unref();
  }

  /** Re-declares the position store now and then, so that `x-expires` only forgets idle groups. */
  private keepGroupAlive(): void {
    const every = Math.min(Math.max(this.spec.groupExpiryMs / 2, 1000), 3_600_000);
    this.refreshTimer = setInterval(() => {
      this.deps.topology
        .ensureOffsetQueue(
          this.spec.dataset,
          this.spec.group as string,
          this.spec.groupExpiryMs,
          this.deps.operationTimeoutMs,
        )
        .catch(() => undefined);
    }, every);
    this.refreshTimer.unref();
  }

  private async consumeFrom(position: StreamPosition): Promise<void> {
    const channel = this.channel as Channel;
    this.settlerOf(channel);
    const epoch = this.epoch;
    this.skipBeforeMs = position.kind === 'time' ? position.ms : undefined;
    this.pinFirst = position.kind !== 'offset';
    try {
      // basic.qos(prefetch) was applied when the channel opened (consumerChannel)
      const { consumerTag } = await channel.consume(
        this.spec.dataset,
        (message) => this.onDelivery(epoch, message),
        {
          noAck: false,
          arguments: { 'x-stream-offset': streamOffsetArgument(position) },
        },
      );
      this.consumerTag = consumerTag;
      // for the next subscription
      this.deps.connection.prepareConsumerChannel(this.spec.prefetch, this.spec.group !== undefined);
    } catch (error) {
      if (replyCode(error) === AmqpReplyCode.NOT_FOUND) this.deps.topology.forget(this.spec.dataset);
      throw mapChannelError(error, `Consuming the stream of "${this.spec.dataset}"`, true);
    }
  }

  private onDelivery(epoch: number, message: ConsumeMessage | null): void {
    if (epoch !== this.epoch || this.state === 'closed') return;
    if (message === null) {
      this.deps.topology.forget(this.spec.dataset); // declared again by the next subscribe
      this.fail(
        new SubscriptionLostError(
          `The broker cancelled the consumer of "${this.spec.dataset}" (stream deleted?).`,
        ),
      );
      return;
    }
    const offset = streamOffset(message);
    if (offset === undefined) {
      this.fail(
        new PermanentError(
          `"${this.spec.dataset}" is not a RabbitMQ stream (no x-stream-offset on deliveries).`,
        ),
      );
      return;
    }
    if (this.skipBeforeMs !== undefined) {
      if (producedBefore(message, this.skipBeforeMs)) {
        this.settler?.track(message);
        this.settler?.ack(message);
        return;
      }
      this.skipBeforeMs = undefined;
    }
    if (this.pinFirst) {
      this.pinFirst = false;
      this.commit({ kind: 'offset', offset }).catch((error) =>
        this.deps.logger.warn(
          `Could not pin the position of group "${this.spec.group}": ${(error as Error).message}`,
        ),
      );
    }
    this.settler?.track(message);
    const record = toIncomingRecord(this.spec.dataset, message, offset, false);
    record.token = { message, epoch } satisfies Token;
    this.buffer.push(record);
  }

  /** The ack batcher of `channel` (a new one when the subscription's channel changed). */
  private settlerOf(channel: Channel): AmqpAckBatcher {
    if (!this.settler || this.settlerChannel !== channel) {
      this.settler = new AmqpAckBatcher(channel);
      this.settlerChannel = channel;
    }
    return this.settler;
  }

  /**
   * Commits `position` to the group's position store, on the lock holder's channel: one write at a time, so
   * writes never overtake each other, and a write takes the newest position planned when it starts, so the
   * calls made while one is in flight (acknowledgements overlap: `pipelinedAcks`) share the next write. A
   * call resolves once a write of its position, or of a later one, is confirmed.
   */
  private commit(position: StreamPosition): Promise<void> {
    if (this.spec.group === undefined) return Promise.resolve(); // the runtime keeps a private subscription's place
    this.planned = position;
    const next = this.commits.catch(() => undefined).then(() => this.writePlanned());
    this.commits = next;
    return next;
  }

  private async writePlanned(): Promise<void> {
    const position = this.planned;
    const channel = this.channel as ConfirmChannel | undefined; // only group members commit
    this.planned = undefined;
    if (!position || !channel) return;
    await writeGroupPosition(channel, this.spec.dataset, this.spec.group as string, position);
  }

  private async peekPosition(): Promise<StreamPosition | undefined> {
    const channel = await this.openConfirmChannel();
    try {
      return await readGroupPosition(channel, this.spec.dataset, this.spec.group as string);
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  /**
   * The channel this subscription consumes on, with `basic.qos(prefetch)` applied: a confirm channel for a
   * group member (`confirm`: it writes the group's positions on it), a plain one for a private subscription.
   */
  private async openConsumerChannel(confirm: true): Promise<ConfirmChannel>;
  private async openConsumerChannel(confirm: false): Promise<Channel>;
  private async openConsumerChannel(confirm: boolean): Promise<Channel> {
    const { connection, operationTimeoutMs } = this.deps;
    return this.watched(await connection.consumerChannel(this.spec.prefetch, operationTimeoutMs, confirm));
  }

  /** A confirm channel for a group's position store and lock (a group member's consuming one included). */
  private async openConfirmChannel(): Promise<ConfirmChannel> {
    return this.watched(await this.deps.connection.channel(true, this.deps.operationTimeoutMs));
  }

  /** Watches `channel`: its closing while it is this subscription's channel fails the subscription. */
  private watched<C extends Channel>(channel: C): C {
    channel.on('close', () => {
      if (this.channel === channel && this.state !== 'closed')
        this.fail(
          new SubscriptionLostError(`The channel of the subscription to "${this.spec.dataset}" closed.`),
        );
    });
    return channel;
  }

  private fail(error: DatabusError): void {
    if (this.lost || this.state === 'closed') return;
    this.lost = error;
    clearTimeout(this.pollTimer);
    clearInterval(this.refreshTimer);
    this.buffer.fail(error);
  }
}
