import { IncomingRecord } from '../../transport/transport-record.interface';
import { MemoryLog, StoredRecord } from './memory-log';

/**
 * Delivery state of one consumer group on one dataset, shared by its members (each message goes to one
 * member at a time). Like a JetStream pull consumer: a delivery cursor, an ack floor, the pending
 * (delivered, unacknowledged) set, and messages due for redelivery.
 */
export class MemoryGroup {
  /** Next sequence never delivered to this group. */
  private cursor: number;
  /** Every sequence <= ackFloor is acknowledged. */
  private ackFloor: number;
  /** Acknowledged sequences above the floor. */
  private readonly acked = new Set<number>();
  /** Delivered, unacknowledged: sequence → member. */
  private readonly pending = new Map<number, string>();
  /** How many of `pending` each member holds. */
  private readonly pendingCount = new Map<string, number>();
  /** Sequences to deliver again, oldest first. */
  private redeliver: number[] = [];
  private readonly wakeListeners = new Set<() => void>();
  /** Members currently attached. */
  readonly members = new Set<string>();
  lastActive: number;

  constructor(
    readonly log: MemoryLog,
    readonly name: string | undefined,
    startSequence: number,
    now: number,
  ) {
    this.cursor = Math.max(startSequence, log.firstSequence);
    this.ackFloor = this.cursor - 1;
    this.lastActive = now;
  }

  /**
   * Up to `max` records for `member`, as the records handed to the runtime (one object per delivery, nothing
   * in between): redeliveries first, then new messages.
   */
  take(member: string, max: number): IncomingRecord[] {
    const out: IncomingRecord[] = [];
    const first = this.log.firstSequence;
    while (out.length < max && this.redeliver.length > 0) {
      const seq = this.redeliver.shift() as number;
      const record = this.log.get(seq);
      if (!record || seq < first) continue; // expired by retention while waiting
      this.hold(seq, member, 1);
      out.push(toIncoming(this.log.dataset, record, true));
    }
    if (this.cursor < first) this.skipTo(first);
    const end = this.log.nextSequence;
    const redelivered = out.length;
    while (out.length < max && this.cursor < end) {
      const seq = this.cursor++;
      const record = this.log.get(seq);
      if (!record) continue;
      this.pending.set(seq, member);
      out.push(toIncoming(this.log.dataset, record, false));
    }
    if (out.length > redelivered) this.hold(undefined, member, out.length - redelivered);
    return out;
  }

  /** The first sequence this group has not acknowledged (where a member that joins now resumes). */
  get firstUnacknowledged(): number {
    return Math.max(this.ackFloor + 1, this.log.firstSequence);
  }

  /** True when `take` would return something. */
  hasAvailable(): boolean {
    return this.redeliver.length > 0 || this.cursor < this.log.nextSequence;
  }

  /** Messages `member` holds unacknowledged. */
  pendingOf(member: string): number {
    return this.pendingCount.get(member) ?? 0;
  }

  ack(sequence: number, member: string): void {
    if (this.pending.get(sequence) !== member) return; // seeked away or redelivered to someone else
    this.drop(sequence, member);
    if (sequence <= this.ackFloor) return;
    if (sequence !== this.ackFloor + 1) {
      this.acked.add(sequence);
      return;
    }
    this.ackFloor = sequence;
    while (this.acked.size > 0 && this.acked.delete(this.ackFloor + 1)) this.ackFloor++;
  }

  /** Puts a delivered message back for redelivery (nack, or its member left). */
  release(sequence: number, member: string): void {
    if (this.pending.get(sequence) !== member) return;
    this.drop(sequence, member);
    this.insertRedelivery(sequence);
    this.wake();
  }

  /** Releases everything `member` holds. */
  releaseMember(member: string): void {
    for (const [seq, holder] of [...this.pending]) if (holder === member) this.release(seq, member);
  }

  /** Moves the whole group to `sequence`: pending and redeliveries are dropped. */
  seek(sequence: number): void {
    this.skipTo(Math.max(sequence, this.log.firstSequence));
    this.wake();
  }

  onWake(listener: () => void): () => void {
    this.wakeListeners.add(listener);
    return () => this.wakeListeners.delete(listener);
  }

  wake(): void {
    for (const listener of [...this.wakeListeners]) listener();
  }

  private skipTo(sequence: number): void {
    this.cursor = sequence;
    this.ackFloor = sequence - 1;
    this.acked.clear();
    this.pending.clear();
    this.pendingCount.clear();
    this.redeliver = [];
  }

  /** Counts `n` more messages held by `member` (and records `sequence` as its, when given). */
  private hold(sequence: number | undefined, member: string, n: number): void {
    if (sequence !== undefined) this.pending.set(sequence, member);
    this.pendingCount.set(member, (this.pendingCount.get(member) ?? 0) + n);
  }

  private drop(sequence: number, member: string): void {
    this.pending.delete(sequence);
    const n = (this.pendingCount.get(member) ?? 1) - 1;
    if (n > 0) this.pendingCount.set(member, n);
    else this.pendingCount.delete(member);
  }

  private insertRedelivery(sequence: number): void {
    let i = this.redeliver.length;
    while (i > 0 && this.redeliver[i - 1] > sequence) i--;
    this.redeliver.splice(i, 0, sequence);
  }
}

/** A stored message as the record handed to the runtime. */
function toIncoming(dataset: string, record: StoredRecord, redelivered: boolean): IncomingRecord {
  return {
    dataset,
    key: record.key,
    headers: record.headers, // frozen when stored
    data: record.data,
    sequence: record.sequence,
    timestamp: record.timestamp,
    redelivered,
    replyTo: record.replyTo,
    correlationId: record.correlationId,
  };
}
