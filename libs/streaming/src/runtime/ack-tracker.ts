import { IncomingRecord } from '../transport/transport-record.interface';

/** Delivered records of one partition, in delivery order, from `head` on. */
interface Lane {
  records: IncomingRecord[];
  /** Parallel to `records`: finished. */
  done: boolean[];
  head: number;
  /** Records dropped from the front of `records` by compaction. */
  base: number;
  /** Record → its position in the lane since it was created (`base` + index in `records`). */
  slots: Map<IncomingRecord, number>;
  /** In `dirty` (its head finished since the last drain). */
  dirty: boolean;
}

/**
 * Decides which finished records may be acknowledged. `complete()` only marks a record; `drain()` hands out
 * everything that became acknowledgeable since the previous drain, so a tick's completions leave in one call.
 * - `individual` mode: a record is acknowledgeable as soon as it is finished.
 * - `position` mode: a committed position covers every earlier message, so only the contiguous finished
 *   prefix of each partition is released: the commit watermark never passes an unfinished message.
 * A record given back with `release()` stops counting as in flight; in position mode it still holds the
 * watermark (the broker delivers it again), in individual mode it is forgotten.
 */
export class AckTracker {
  /** Individual mode: delivered, unfinished. */
  private readonly open = new Set<IncomingRecord>();
  /** Individual mode: finished, not yet drained. */
  private finished: IncomingRecord[] = [];
  /** Position mode: one lane per partition. */
  private readonly lanes = new Map<number, Lane>();
  private dirty: Lane[] = [];
  private inFlight = 0;

  constructor(private readonly mode: 'individual' | 'position') {}

  /** Records delivered and neither finished nor released. */
  get size(): number {
    return this.inFlight;
  }

  /** Whether `record` is delivered and neither finished nor released. */
  has(record: IncomingRecord): boolean {
    if (this.mode === 'individual') return this.open.has(record);
    const lane = this.lanes.get(record.partition ?? 0);
    const slot = lane?.slots.get(record);
    return slot !== undefined && !(lane as Lane).done[slot - (lane as Lane).base];
  }

  /** Registers delivered records, in delivery order. */
  track(records: readonly IncomingRecord[]): void {
    this.inFlight += records.length;
    if (this.mode === 'individual') {
      for (const record of records) this.open.add(record);
      return;
    }
    for (const record of records) {
      const laneId = record.partition ?? 0;
      let lane = this.lanes.get(laneId);
      if (!lane) {
        lane = { records: [], done: [], head: 0, base: 0, slots: new Map(), dirty: false };
        this.lanes.set(laneId, lane);
      }
      lane.slots.set(record, lane.base + lane.records.length);
      lane.records.push(record);
      lane.done.push(false);
    }
  }

  /**
   * Marks `record` finished. Returns true when `drain()` has something new to hand out; false when the
   * record was not in flight (already finished, released, or from before a `clear()`).
   */
  complete(record: IncomingRecord): boolean {
    if (this.mode === 'individual') {
      if (!this.open.delete(record)) return false;
      this.inFlight--;
      this.finished.push(record);
      return true;
    }
    const lane = this.lanes.get(record.partition ?? 0);
    const at = lane?.slots.get(record);
    if (lane === undefined || at === undefined) return false;
    const slot = at - lane.base;
    if (lane.done[slot]) return false;
    lane.done[slot] = true;
    this.inFlight--;
    if (slot !== lane.head) return false;
    if (!lane.dirty) {
      lane.dirty = true;
      this.dirty.push(lane);
    }
    return true;
  }

  /** Gives `record` back unfinished (abandoned, or nacked for redelivery): it no longer counts as in flight. */
  release(record: IncomingRecord): void {
    if (this.mode === 'individual') {
      if (this.open.delete(record)) this.inFlight--;
      return;
    }
    const lane = this.lanes.get(record.partition ?? 0);
    const at = lane?.slots.get(record);
    if (lane === undefined || at === undefined || lane.done[at - lane.base]) return;
    // Stays unfinished in its lane: the watermark must not pass it. Dropped from `slots` so it is not
    // released twice and cannot be completed any more.
    lane.slots.delete(record);
    this.inFlight--;
  }

  /**
   * The lowest sequence among delivered records not finished yet (where a lost private subscription resumes);
   * `undefined` when every delivered record is finished. A pass over the unfinished records: call it on
   * recovery, not per message.
   */
  oldestUnfinished(): number | undefined {
    let oldest: number | undefined;
    const consider = (sequence: number): void => {
      if (oldest === undefined || sequence < oldest) oldest = sequence;
    };
    if (this.mode === 'individual') for (const record of this.open) consider(record.sequence);
    else
      for (const lane of this.lanes.values())
        for (let i = lane.head; i < lane.records.length; i++)
          if (!lane.done[i]) {
            consider(lane.records[i].sequence);
            break;
          }
    return oldest;
  }

  /** The records that became acknowledgeable since the last drain, in delivery order per partition. */
  drain(): IncomingRecord[] {
    if (this.mode === 'individual') {
      const out = this.finished;
      this.finished = [];
      return out;
    }
    const out: IncomingRecord[] = [];
    const lanes = this.dirty;
    this.dirty = [];
    for (const lane of lanes) {
      lane.dirty = false;
      while (lane.head < lane.records.length && lane.done[lane.head]) {
        const record = lane.records[lane.head++];
        lane.slots.delete(record);
        out.push(record);
      }
      this.compact(lane);
    }
    return out;
  }

  /** Forgets everything (after a seek or a lost subscription: those deliveries will not be acknowledged). */
  clear(): void {
    this.open.clear();
    this.finished = [];
    this.lanes.clear();
    this.dirty = [];
    this.inFlight = 0;
  }

  private compact(lane: Lane): void {
    if (lane.head <= 1024 || lane.head * 2 <= lane.records.length) return;
    lane.records.splice(0, lane.head);
    lane.done.splice(0, lane.head);
    lane.base += lane.head;
    lane.head = 0;
  }
}
