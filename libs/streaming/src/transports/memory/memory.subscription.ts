import { randomUUID } from 'node:crypto';
import { Offset } from '../../offset/offset';
import { SubscriptionClosedError } from '../../errors';
import { IncomingRecord } from '../../transport/transport-record.interface';
import { TransportSubscription } from '../../transport/transport.interface';
import { RecordBuffer } from '../../transport/record-buffer';
import { MemoryBroker } from './memory-broker';
import { MemoryGroup } from './memory-group';
import { startSequence } from './memory-positions';

/** One member of a memory consumer group (or a private subscription). */
export class MemorySubscription implements TransportSubscription {
  private readonly member = randomUUID();
  private closed = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  /** See `TransportSubscription.resumedAt` (set by the transport when the group already existed). */
  resumedAt?: number;
  private readonly buffer: RecordBuffer<IncomingRecord>;
  private readonly offAppend: () => void;
  private readonly offWake: () => void;

  constructor(
    private readonly broker: MemoryBroker,
    private readonly group: MemoryGroup,
    private readonly prefetch: number,
    private readonly onClose: (sub: MemorySubscription) => void,
  ) {
    group.members.add(this.member);
    // Never more than `prefetch` unacknowledged messages per member, as a broker's flow control would.
    this.buffer = new RecordBuffer<IncomingRecord>(
      {
        handOut: (record) => record, // the group builds the records
        room: () => this.prefetch - this.group.pendingOf(this.member),
        pull: (n) => this.group.take(this.member, n),
        canPull: () => this.group.hasAvailable(),
      },
      { keepAlive: true }, // a worker whose only work is this wait must stay alive; close() and aborts end it
    );
    const wake = (): void => this.buffer.wake();
    this.offAppend = group.log.onAppend(wake);
    this.offWake = group.onWake(wake);
  }

  fetch(max: number, maxWaitMs: number, signal?: AbortSignal): Promise<IncomingRecord[]> {
    return this.buffer.fetch(max, maxWaitMs, signal);
  }

  async ack(records: readonly IncomingRecord[]): Promise<void> {
    if (this.closed) return;
    for (const record of records) this.group.ack(record.sequence, this.member);
    this.group.lastActive = this.broker.now();
    this.buffer.wake(); // room for more
  }

  async nack(record: IncomingRecord, delayMs: number): Promise<void> {
    if (this.closed) return;
    if (delayMs <= 0) return this.group.release(record.sequence, this.member);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.group.release(record.sequence, this.member);
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
  }

  async seek(offset: Offset): Promise<void> {
    this.assertOpen('seek');
    this.group.seek(startSequence(this.group.log, offset));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.buffer.close();
    this.offAppend();
    this.offWake();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.group.members.delete(this.member);
    this.group.releaseMember(this.member);
    this.group.lastActive = this.broker.now();
    this.group.wake();
    this.onClose(this);
  }

  private assertOpen(operation: string): void {
    if (this.closed) throw new SubscriptionClosedError(operation);
  }
}
