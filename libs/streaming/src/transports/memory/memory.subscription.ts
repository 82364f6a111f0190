import { randomUUID } from 'node:crypto';
import { Offset } from '../../offset/offset';
import { SubscriptionClosedError } from '../../errors';
import { IncomingRecord } from '../../transport/transport-record.interface';
import { TransportSubscription } from '../../transport/transport.interface';
import { MemoryBroker } from './memory-broker';
import { Delivery, MemoryGroup } from './memory-group';
import { startSequence } from './memory-positions';

/** One member of a memory consumer group (or a private subscription). */
export class MemorySubscription implements TransportSubscription {
  private readonly member = randomUUID();
  private closed = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  /** See `TransportSubscription.resumedAt` (set by the transport when the group already existed). */
  resumedAt?: number;

  constructor(
    private readonly broker: MemoryBroker,
    private readonly group: MemoryGroup,
    private readonly dataset: string,
    private readonly prefetch: number,
    private readonly onClose: (sub: MemorySubscription) => void,
  ) {
    group.members.add(this.member);
  }

  async fetch(max: number, maxWaitMs: number, signal?: AbortSignal): Promise<IncomingRecord[]> {
    this.assertOpen('fetch');
    const out = this.take(max);
    if (out.length >= max || maxWaitMs <= 0 || signal?.aborted) return out;
    await this.waitForMore(max, maxWaitMs, out, signal);
    return out;
  }

  async ack(records: readonly IncomingRecord[]): Promise<void> {
    if (this.closed) return;
    for (const record of records) this.group.ack(record.sequence, this.member);
    this.group.lastActive = this.broker.now();
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
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.group.members.delete(this.member);
    this.group.releaseMember(this.member);
    this.group.lastActive = this.broker.now();
    this.group.wake();
    this.onClose(this);
  }

  private take(max: number): IncomingRecord[] {
    // Never more than `prefetch` unacknowledged messages per member, as a broker's flow control would.
    const room = Math.min(max, this.prefetch - this.group.pendingOf(this.member));
    if (room <= 0) return [];
    return this.group.take(this.member, room).map((d) => this.toIncoming(d));
  }

  private waitForMore(
    max: number,
    maxWaitMs: number,
    out: IncomingRecord[],
    signal?: AbortSignal,
  ): Promise<void> {
    return new Promise<void>((resolve) => {
      const finish = (): void => {
        clearTimeout(timer);
        offAppend();
        offWake();
        signal?.removeEventListener('abort', finish);
        resolve();
      };
      const pull = (): void => {
        if (this.closed) return finish();
        out.push(...this.take(max - out.length));
        if (out.length >= max) finish();
      };
      // Not unref'd: a worker whose only work is this wait must stay alive; close() and aborts end it.
      const timer = setTimeout(finish, maxWaitMs);
      const offAppend = this.group.log.onAppend(pull);
      const offWake = this.group.onWake(pull);
      signal?.addEventListener('abort', finish, { once: true });
    });
  }

  private toIncoming({ record, redelivered }: Delivery): IncomingRecord {
    return {
      dataset: this.dataset,
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

  private assertOpen(operation: string): void {
    if (this.closed) throw new SubscriptionClosedError(operation);
  }
}
