import { SubscriptionClosedError } from '../../errors';
import { Offset } from '../../offset/offset';
import { RecordBuffer } from '../../transport/record-buffer';
import { refuseNack } from '../../transport/transport-capabilities';
import { IncomingRecord } from '../../transport/transport-record.interface';
import {
  SubscriptionSpec,
  TransportLogger,
  TransportSubscription,
} from '../../transport/transport.interface';
import {
  KafkaBatchOutcome,
  KafkaConsumerHandlers,
  KafkaDriver,
  KafkaDriverBatch,
  KafkaDriverConsumer,
  KafkaRecordReader,
} from './kafka-driver.interface';
import { KafkaCommitter } from './kafka-committer';
import { PartitionPositions, resolvePositions } from './kafka-positions';
import { KafkaRecordToken, toIncomingRecord } from './kafka-wire';

/** What a kafka subscription is built from. */
export interface KafkaSubscriptionOptions {
  driver: KafkaDriver;
  consumer: KafkaDriverConsumer;
  spec: SubscriptionSpec;
  /** The Kafka consumer group id (the user's group, or a throwaway id for a private subscription). */
  groupId: string;
  /** How the consumer belongs to a group: what it commits and what closing it deletes. */
  membership: KafkaMembership;
  /** Start positions of a group with no committed offsets, applied (and committed) at the first assignment. */
  startPositions?: PartitionPositions;
  /** Highest offset this group delivered per partition in this process, to flag redeliveries. */
  delivered: Map<number, DeliveredMark>;
  logger: TransportLogger;
  onClose(subscription: KafkaSubscription): void;
}

/**
 * How a subscription's consumer belongs to a Kafka consumer group:
 * - `durable`: the user's group; it commits its positions, which outlive the subscription;
 * - `throwaway`: a private subscription in a group of its own (a client without a group-less reader): it
 *   commits nothing, and the group is deleted on close;
 * - `none`: a private subscription on a group-less reader: no group, no commits, nothing to delete; the
 *   reader goes on by itself on partitions it keeps, and starts partitions it learns of later at the start
 *   positions.
 */
export type KafkaMembership = 'durable' | 'throwaway' | 'none';

/** The highest offset of a partition handed out to a group in this process (-1: none yet). */
export interface DeliveredMark {
  max: number;
}

/**
 * The token of every record of one partition queued in one epoch: it counts the records handed out and not
 * acknowledged (instead of a set of records), and is retired (`live` false) when they stop counting against
 * prefetch (revocation, seek, crash, close). A retired lease is never counted again.
 */
interface Lease extends KafkaRecordToken {
  held: number;
  live: boolean;
  readonly delivered: DeliveredMark;
}

/** A partition this member holds. `epoch` changes on (re)assignment and seek: older records are not committed. */
interface PartitionState {
  epoch: number;
  /** Next offset to take from the driver (known after the first record, a seek or a start position). */
  next?: number;
  /** The token of the records queued from now on. */
  lease: Lease;
}

/**
 * One Kafka group member consuming one topic, adapted to the pull-based SPI.
 * - The driver pushes batches into a queue. Queued records plus records handed out by `fetch()` and not yet
 *   acknowledged never exceed `spec.prefetch`. A batch that does not fit waits briefly in the driver for room
 *   (`waitForRoom`: the count back down to half); if none comes the consumer is paused (records not taken are
 *   fetched again later) and resumed once acknowledgements brought the count down to half. Heartbeats go on
 *   while paused, so the member keeps its partitions.
 * - `ack` commits the watermark only: the runtime passes contiguous finished prefixes per partition and the
 *   committed offset is the last one + 1 (Kafka's "next record to read"). Commits are serialised.
 * - Rebalances: queued records of revoked partitions are dropped (the new owner reads them again from the
 *   committed offset) and their late acks are ignored; retained partitions continue where they were; fetch()
 *   keeps working throughout.
 */
export class KafkaSubscription implements TransportSubscription, KafkaConsumerHandlers {
  private readonly queue: RecordBuffer<IncomingRecord>;
  /** Handed out by fetch() and not acknowledged yet (the sum of the live leases): they count against prefetch. */
  private outstanding = 0;
  private readonly assigned = new Map<number, PartitionState>();
  private epochs = 0;
  private paused = false;
  private closed = false;
  private firstAssignment = true;
  /** Drivers waiting (inside a batch) for the queue to have room. */
  private readonly roomWaiters = new Set<() => void>();
  private readonly commits: KafkaCommitter;
  private readonly resumeBelow: number;
  /** Only the user's group commits positions. */
  private readonly durable: boolean;

  constructor(private readonly options: KafkaSubscriptionOptions) {
    this.durable = options.membership === 'durable';
    this.resumeBelow = Math.floor(options.spec.prefetch / 2);
    this.queue = new RecordBuffer<IncomingRecord>({
      handOut: (record) => this.handOut(record),
      afterTake: () => this.maybeResume(),
    });
    this.commits = new KafkaCommitter(
      (offsets) => options.consumer.commit(offsets),
      (partition) => this.assigned.has(partition),
      options.logger,
      options.spec.dataset,
    );
  }

  /** Records waiting for `fetch()`. */
  get queued(): number {
    return this.queue.length;
  }

  /** Records queued or handed out and not acknowledged: at most `prefetch`. */
  get held(): number {
    return this.queue.length + this.outstanding;
  }

  /** Whether backpressure paused the consumer. */
  get isPaused(): boolean {
    return this.paused;
  }

  /** Partitions this member holds, sorted. */
  get partitions(): number[] {
    return [...this.assigned.keys()].sort((a, b) => a - b);
  }

  // --- driver callbacks -------------------------------------------------------------------------------

  onAssignment(partitions: number[]): void {
    const now = new Set(partitions);
    for (const partition of [...this.assigned.keys()]) if (!now.has(partition)) this.revoke(partition);
    // A group-less reader hands over partitions it learns of later too (its metadata may have predated them):
    // those the start positions were resolved for start there.
    const groupless = this.options.membership === 'none';
    const starts = this.firstAssignment || groupless ? this.options.startPositions : undefined;
    this.firstAssignment = false;
    for (const partition of partitions) {
      const state = this.assigned.get(partition);
      if (state) {
        // The client restarts retained partitions from the committed offset: continue where we were (a
        // group-less reader goes on where it was by itself).
        if (state.next !== undefined && !groupless) this.seekDriver(partition, state.next);
        continue;
      }
      const epoch = ++this.epochs;
      const fresh: PartitionState = { epoch, lease: this.lease(partition, epoch) };
      const start = starts?.get(partition);
      if (start !== undefined) {
        fresh.next = start;
        this.seekDriver(partition, start);
        // Committing the start makes it the group's position for later members and restarts.
        if (this.durable) this.commits.set(partition, start);
      }
      this.assigned.set(partition, fresh);
    }
    if (this.paused) this.options.consumer.pause();
    this.commits.flushInBackground();
  }

  /** Queues the batch's records from the partition's next offset on, as many as there is room for. */
  onBatch<M>(batch: KafkaDriverBatch<M>): KafkaBatchOutcome {
    if (this.closed || this.queue.failure) return {};
    const { partition, records, reader } = batch;
    const state = this.assigned.get(partition);
    if (!state || batch.isStale()) return {};
    // Records are in offset order: skip those taken before (a batch offered again after a wait for room).
    const from = state.next;
    const i = from === undefined ? 0 : firstAtOrAfter(records, reader, from);
    const end = Math.min(records.length, i + Math.max(0, this.options.spec.prefetch - this.held));
    if (end > i) {
      const { dataset } = this.options.spec;
      const token = state.lease; // shared by the epoch's records, never changed
      let last!: IncomingRecord;
      for (let j = i; j < end; j++)
        this.queue.push(
          (last = toIncomingRecord(dataset, partition, records[j], reader, state.epoch, false, token)),
        );
      state.next = last.sequence + 1;
    }
    const full = end < records.length;
    if (state.next === undefined) return full ? { full } : {};
    return full ? { nextOffset: state.next, full } : { nextOffset: state.next };
  }

  waitForRoom(timeoutMs: number): Promise<boolean> {
    if (this.closed || this.queue.failure) return Promise.resolve(false);
    if (this.hasRoom()) return Promise.resolve(true);
    if (timeoutMs <= 0) return Promise.resolve(this.giveUpWaiting());
    return new Promise<boolean>((resolve) => {
      const done = (ok: boolean): void => {
        clearTimeout(timer);
        this.roomWaiters.delete(check);
        resolve(ok || this.giveUpWaiting());
      };
      const check = (): void => {
        if (this.closed || this.queue.failure) done(false);
        else if (this.hasRoom()) done(true);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      timer.unref();
      this.roomWaiters.add(check);
    });
  }

  onCrash(error: Error): void {
    this.queue.fail(error);
    this.retireLeases();
    this.options.logger.warn(`Kafka consumer of "${this.options.spec.dataset}" stopped: ${error.message}`);
    this.checkRoomWaiters();
  }

  // --- SPI --------------------------------------------------------------------------------------------

  fetch(max: number, maxWaitMs: number, signal?: AbortSignal): Promise<IncomingRecord[]> {
    return this.queue.fetch(max, maxWaitMs, signal);
  }

  /**
   * Frees the records' prefetch room at once and plans the commit of each partition's watermark; resolves once
   * that commit (or a later one) is sent. Not an async function: the pending commit must not keep `records`
   * (and the kafkajs messages they read) alive until the broker answers, a few scavenges later.
   */
  ack(records: readonly IncomingRecord[]): Promise<void> {
    if (this.closed) return Promise.resolve();
    // The runtime passes contiguous runs per partition: one commit plan per run, not per record.
    let run: KafkaRecordToken | undefined;
    let runNext = -1;
    for (let i = 0; i < records.length; i++) {
      const record = records[i];
      const token = record.token as Lease | undefined;
      if (!token) continue;
      if (token.live && token.held > 0) {
        token.held--;
        this.outstanding--;
      }
      if (token !== run) {
        if (run) this.plan(run, runNext);
        run = token;
        runNext = -1;
      }
      const next = record.sequence + 1; // Kafka commits the next record to read
      if (next > runNext) runNext = next;
    }
    if (run) this.plan(run, runNext);
    this.maybeResume();
    return this.durable ? this.commits.flush() : Promise.resolve();
  }

  readonly nack = refuseNack(
    'kafka',
    'a committed offset covers every earlier record; the runtime runs the record again itself',
  );

  async seek(offset: Offset): Promise<void> {
    if (this.closed) throw new SubscriptionClosedError('seek');
    const { driver, spec, groupId } = this.options;
    const durable = this.durable;
    const positions = await resolvePositions(driver, spec.dataset, offset, durable ? groupId : undefined);
    this.queue.clear();
    this.retireLeases();
    this.commits.clear();
    for (const [partition, state] of this.assigned) {
      const target = positions.get(partition);
      if (target === undefined) continue;
      state.epoch = ++this.epochs;
      state.lease = this.lease(partition, state.epoch);
      state.next = target;
      this.seekDriver(partition, target);
      if (durable) this.commits.set(partition, target);
    }
    this.maybeResume();
    await this.commits.flush();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.queue.close();
    this.retireLeases();
    this.checkRoomWaiters();
    await this.commits
      .flush()
      .catch((error) =>
        this.options.logger.warn(
          `Final commit on "${this.options.spec.dataset}" failed: ${(error as Error).message}`,
        ),
      );
    await this.options.consumer.stop();
    if (this.options.membership === 'throwaway')
      await this.options.driver.deleteGroup(this.options.groupId).catch(() => undefined);
    this.options.onClose(this);
  }

  // --- internals --------------------------------------------------------------------------------------

  /** Hands a record to the runtime; one handed out before (same group, this process) is flagged redelivered. */
  private handOut(record: IncomingRecord): IncomingRecord {
    const lease = record.token as Lease;
    if (lease.live) {
      lease.held++;
      this.outstanding++;
    }
    const mark = lease.delivered;
    if (record.sequence <= mark.max) record.redelivered = true;
    else mark.max = record.sequence;
    return record;
  }

  /** A new lease for `partition` in `epoch`, sharing the group's delivered mark of the partition. */
  private lease(partition: number, epoch: number): Lease {
    const { delivered } = this.options;
    let mark = delivered.get(partition);
    if (!mark) delivered.set(partition, (mark = { max: -1 }));
    return { partition, epoch, held: 0, live: true, delivered: mark };
  }

  /** Handed-out records stop counting against prefetch (seek, crash, close); later acks do not count. */
  private retireLeases(): void {
    for (const [partition, state] of this.assigned) {
      state.lease.live = false;
      state.lease = this.lease(partition, state.epoch);
    }
    this.outstanding = 0;
  }

  /** Plans the commit of `next` for the token's partition, unless it was revoked or seeked away since. */
  private plan(token: KafkaRecordToken, next: number): void {
    if (!this.durable) return;
    const state = this.assigned.get(token.partition);
    if (state && state.epoch === token.epoch) this.commits.raise(token.partition, next);
  }

  private pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.options.consumer.pause();
  }

  private maybeResume(): void {
    for (const check of [...this.roomWaiters]) check();
    if (!this.paused || !this.hasRoom() || this.closed) return;
    this.paused = false;
    this.options.consumer.resume();
  }

  /** Room again after backpressure: held records are down to half of prefetch. */
  private hasRoom(): boolean {
    return this.held <= this.resumeBelow;
  }

  /** A driver stops waiting inside a batch: the consumer is paused until the queue drains. */
  private giveUpWaiting(): boolean {
    if (!this.closed && !this.queue.failure) this.pause();
    return false;
  }

  private revoke(partition: number): void {
    const state = this.assigned.get(partition);
    this.assigned.delete(partition);
    this.commits.forget(partition);
    this.queue.removeWhere((r) => r.partition === partition);
    if (state) {
      state.lease.live = false;
      this.outstanding -= state.lease.held;
    }
    this.maybeResume();
  }

  private seekDriver(partition: number, offset: number): void {
    try {
      this.options.consumer.seek(partition, offset);
    } catch (error) {
      this.options.logger.debug(`Seek of partition ${partition} deferred: ${(error as Error).message}`);
    }
  }

  /** Ends the drivers' waits for room once the subscription closed or failed. */
  private checkRoomWaiters(): void {
    for (const check of [...this.roomWaiters]) check();
  }
}

/** Index of the first record at or after `offset` (records are in offset order). */
function firstAtOrAfter<M>(records: readonly M[], reader: KafkaRecordReader<M>, offset: number): number {
  let low = 0;
  let high = records.length;
  if (high === 0 || reader.offset(records[0]) >= offset) return 0;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (reader.offset(records[mid]) < offset) low = mid + 1;
    else high = mid;
  }
  return low;
}
