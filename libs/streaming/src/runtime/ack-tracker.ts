import { IncomingRecord } from '../transport/transport-record.interface';

interface Lane {
  entries: Array<{ record: IncomingRecord; done: boolean }>;
  head: number;
}

/**
 * Decides which finished records may be acknowledged.
 * - `individual` mode: a record is acknowledged as soon as it is finished.
 * - `position` mode: a committed position covers every earlier message, so only the contiguous finished
 *   prefix of each partition is released: the commit watermark never passes an unfinished message.
 */
export class AckTracker {
  private readonly lanes = new Map<number, Lane>();
  private readonly index = new Map<IncomingRecord, { lane: Lane; slot: number }>();

  constructor(private readonly mode: 'individual' | 'position') {}

  /** Records delivered and not yet finished (or released). */
  get size(): number {
    return this.index.size;
  }

  has(record: IncomingRecord): boolean {
    return this.index.has(record);
  }

  /** Registers delivered records, in delivery order. */
  track(records: readonly IncomingRecord[]): void {
    for (const record of records) {
      const laneId = record.partition ?? 0;
      let lane = this.lanes.get(laneId);
      if (!lane) this.lanes.set(laneId, (lane = { entries: [], head: 0 }));
      this.index.set(record, { lane, slot: lane.entries.length });
      lane.entries.push({ record, done: false });
    }
  }

  /** Marks `record` finished and returns the records that may now be acknowledged. */
  complete(record: IncomingRecord): IncomingRecord[] {
    const at = this.index.get(record);
    if (!at) return [];
    if (this.mode === 'individual') {
      this.index.delete(record);
      at.lane.entries[at.slot].done = true;
      this.compact(at.lane);
      return [record];
    }
    at.lane.entries[at.slot].done = true;
    const released: IncomingRecord[] = [];
    const { lane } = at;
    while (lane.head < lane.entries.length && lane.entries[lane.head].done) {
      const entry = lane.entries[lane.head++];
      this.index.delete(entry.record);
      released.push(entry.record);
    }
    this.compact(lane);
    return released;
  }

  /** Forgets everything (after a seek or a lost subscription: those deliveries will not be acknowledged). */
  clear(): void {
    this.lanes.clear();
    this.index.clear();
  }

  private compact(lane: Lane): void {
    if (this.mode === 'individual') {
      while (lane.head < lane.entries.length && lane.entries[lane.head].done) lane.head++;
    }
    if (lane.head > 1024 && lane.head * 2 > lane.entries.length) {
      lane.entries.splice(0, lane.head);
      lane.head = 0;
      for (let i = 0; i < lane.entries.length; i++) {
        const at = this.index.get(lane.entries[i].record);
        if (at) at.slot = i;
      }
    }
  }
}
