import { IncomingRecord } from '../transport/transport-record.interface';

/** A delivered record's state in its lane. */
const OPEN = 0;
const FINISHED = 1;
/** Given back unfinished: no longer in flight; in position mode it still holds the watermark. */
const RELEASED = 2;

/** Delivered records of one partition (one lane for every record in individual mode), in delivery order. */
interface Lane {
  readonly id: number;
  records: Array<IncomingRecord | undefined>;
  /** Parallel to `records`: OPEN, FINISHED or RELEASED. */
  state: number[];
  /** Records before `head` are settled and handed out (or forgotten). */
  head: number;
  /** Where the next completion is expected: the one after the last completed (in-order completion finds it here). */
  next: number;
  /** Records dropped from the front of `records` by compaction: `records[i]` is at position `base + i`. */
  base: number;
  /**
   * Record → position, built on the first completion that was not the expected one (out-of-order completion,
   * concurrency > 1) and kept until the lane is empty again: in-order completion needs no map.
   */
  index?: Map<IncomingRecord, number>;
  /** Records of the lane that are OPEN. */
  open: number;
  /** In `dirty` (position mode: its head finished since the last drain). */
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
 *
 * Records are kept in delivery order per lane with a state each, and found by identity: a completion in
 * delivery order (concurrency 1, or handlers that finish in order) is found where the last one ended, with no
 * per-record map or set; only out-of-order completion builds an index of the lane.
 */
export class AckTracker {
  /** Individual mode: finished, not yet drained. */
  private finished: IncomingRecord[] = [];
  /** One lane per partition (position mode), or the single lane (individual mode). */
  private readonly lanes = new Map<number, Lane>();
  private last?: Lane;
  private dirty: Lane[] = [];
  private inFlight = 0;

  constructor(private readonly mode: 'individual' | 'position') {}

  /** Records delivered and neither finished nor released. */
  get size(): number {
    return this.inFlight;
  }

  /** Whether `record` is delivered and neither finished nor released. */
  has(record: IncomingRecord): boolean {
    const lane = this.laneOf(record, false);
    if (!lane) return false;
    const at = locate(lane, record);
    return at >= 0 && lane.state[at] === OPEN;
  }

  /** Registers delivered records, in delivery order. */
  track(records: readonly IncomingRecord[]): void {
    this.inFlight += records.length;
    for (let i = 0; i < records.length; i++) {
      const record = records[i];
      const lane = this.laneOf(record, true) as Lane;
      lane.index?.set(record, lane.base + lane.records.length);
      lane.records.push(record);
      lane.state.push(OPEN);
      lane.open++;
    }
  }

  /**
   * Marks `record` finished. Returns true when `drain()` has something new to hand out; false when the
   * record was not in flight (already finished, released, or from before a `clear()`).
   */
  complete(record: IncomingRecord): boolean {
    const lane = this.laneOf(record, false);
    if (!lane) return false;
    const at = locate(lane, record);
    if (at < 0 || lane.state[at] !== OPEN) return false;
    lane.state[at] = FINISHED;
    lane.next = at + 1;
    lane.open--;
    this.inFlight--;
    if (this.mode === 'individual') {
      this.finished.push(record);
      if (at === lane.head) this.advance(lane);
      else if (lane.records.length - lane.head > 2 * lane.open + 1024) this.compactIndividual(lane);
      return true;
    }
    if (at !== lane.head) return false;
    if (!lane.dirty) {
      lane.dirty = true;
      this.dirty.push(lane);
    }
    return true;
  }

  /** Gives `record` back unfinished (abandoned, or nacked for redelivery): it no longer counts as in flight. */
  release(record: IncomingRecord): void {
    const lane = this.laneOf(record, false);
    if (!lane) return;
    const at = locate(lane, record);
    if (at < 0 || lane.state[at] !== OPEN) return;
    // Position mode: stays unfinished in its lane, so the watermark cannot pass it; it can no longer be
    // completed or released again. Individual mode: forgotten.
    lane.state[at] = RELEASED;
    lane.open--;
    this.inFlight--;
    if (this.mode === 'individual' && at === lane.head) this.advance(lane);
  }

  /**
   * The lowest sequence among delivered records not finished yet (where a lost private subscription resumes);
   * `undefined` when every delivered record is finished. A pass over the unfinished records: call it on
   * recovery, not per message.
   */
  oldestUnfinished(): number | undefined {
    let oldest: number | undefined;
    for (const lane of this.lanes.values())
      for (let i = lane.head; i < lane.records.length; i++) {
        const state = lane.state[i];
        // Position mode: a released record is unfinished (it holds the watermark); individual: forgotten.
        if (state === FINISHED || (state === RELEASED && this.mode === 'individual')) continue;
        const sequence = (lane.records[i] as IncomingRecord).sequence;
        if (oldest === undefined || sequence < oldest) oldest = sequence;
        if (this.mode === 'position') break;
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
      const { records, state } = lane;
      let head = lane.head;
      while (head < records.length && state[head] === FINISHED) {
        const record = records[head] as IncomingRecord;
        records[head++] = undefined; // handed out: let it be collected
        lane.index?.delete(record);
        out.push(record);
      }
      lane.head = head;
      this.compact(lane);
    }
    return out;
  }

  /** Forgets everything (after a seek or a lost subscription: those deliveries will not be acknowledged). */
  clear(): void {
    this.finished = [];
    this.lanes.clear();
    this.last = undefined;
    this.dirty = [];
    this.inFlight = 0;
  }

  /** The record's lane (one per partition in position mode, the only one in individual mode). */
  private laneOf(record: IncomingRecord, create: boolean): Lane | undefined {
    const id = this.mode === 'position' ? (record.partition ?? 0) : 0;
    const last = this.last;
    if (last !== undefined && last.id === id) return last;
    let lane = this.lanes.get(id);
    if (!lane) {
      if (!create) return undefined;
      lane = { id, records: [], state: [], head: 0, next: 0, base: 0, open: 0, dirty: false };
      this.lanes.set(id, lane);
    }
    this.last = lane;
    return lane;
  }

  /** Individual mode: moves the head past settled records (they were handed out when they finished). */
  private advance(lane: Lane): void {
    const { records, state } = lane;
    let head = lane.head;
    while (head < records.length && state[head] !== OPEN) {
      lane.index?.delete(records[head] as IncomingRecord);
      records[head++] = undefined;
    }
    lane.head = head;
    this.compact(lane);
  }

  private compact(lane: Lane): void {
    if (lane.head === lane.records.length) {
      // Empty: start over (no index until completions come out of order again).
      lane.base += lane.records.length;
      lane.records.length = 0;
      lane.state.length = 0;
      lane.head = 0;
      lane.next = 0;
      lane.index = undefined;
      return;
    }
    if (lane.head <= 1024 || lane.head * 2 <= lane.records.length) return;
    lane.records.splice(0, lane.head);
    lane.state.splice(0, lane.head);
    lane.base += lane.head;
    lane.next = Math.max(0, lane.next - lane.head);
    lane.head = 0;
  }

  /**
   * Individual mode, an open record at the head while many after it finished (a slow handler among fast
   * ones): keeps only the open records, so the lane stays proportional to what is in flight.
   */
  private compactIndividual(lane: Lane): void {
    const records: IncomingRecord[] = [];
    for (let i = lane.head; i < lane.records.length; i++)
      if (lane.state[i] === OPEN) records.push(lane.records[i] as IncomingRecord);
    lane.base += lane.records.length;
    lane.records = records;
    lane.state = records.map(() => OPEN);
    lane.head = 0;
    lane.next = 0;
    lane.index = undefined;
  }
}

/** Where `record` is in `lane.records` (-1: not there): the expected place first, then the lane's index. */
function locate(lane: Lane, record: IncomingRecord): number {
  const records = lane.records;
  const next = lane.next;
  if (next < records.length && records[next] === record) return next;
  if (next > lane.head && records[next - 1] === record) return next - 1;
  let index = lane.index;
  if (index === undefined) {
    index = lane.index = new Map();
    for (let i = lane.head; i < records.length; i++) index.set(records[i] as IncomingRecord, lane.base + i);
  }
  const at = index.get(record);
  return at === undefined ? -1 : at - lane.base;
}
