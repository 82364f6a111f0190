import { MessageHeaders } from '../../transport/transport-record.interface';

/** One message as the memory broker stores it. */
export interface StoredRecord {
  sequence: number;
  timestamp: Date;
  key?: string;
  headers: MessageHeaders;
  data: Buffer;
  replyTo?: string;
  correlationId?: string;
}

/** How much history a memory dataset keeps. */
export interface MemoryRetention {
  /** Messages older than this are dropped. @default 7 days */
  maxAgeMs: number;
  /** At most this many messages are kept. @default 1_000_000 */
  maxMessages: number;
}

/**
 * The append-only log of one dataset. Sequences start at 1 and never repeat; retention trims the front.
 */
export class MemoryLog {
  private readonly records: StoredRecord[] = [];
  /** Index 0 of `records` holds this sequence. */
  private base = 1;
  private readonly appendListeners = new Set<() => void>();

  constructor(
    readonly dataset: string,
    private readonly retention: MemoryRetention,
    private readonly now: () => number,
  ) {}

  /** Sequence of the oldest stored message (equals `nextSequence` when empty). */
  get firstSequence(): number {
    this.trim();
    return this.base;
  }

  /** Sequence the next appended message will get. */
  get nextSequence(): number {
    return this.base + this.records.length;
  }

  /**
   * Stores a message (its headers frozen). `timestamp` is the time it is stored at: the messages of one produce
   * call share one (they are stored in the same instant).
   */
  append(
    record: Omit<StoredRecord, 'sequence' | 'timestamp'>,
    timestamp = new Date(this.now()),
  ): StoredRecord {
    const stored: StoredRecord = {
      sequence: this.nextSequence,
      timestamp,
      key: record.key,
      headers: Object.freeze(record.headers),
      data: record.data,
      replyTo: record.replyTo,
      correlationId: record.correlationId,
    };
    this.records.push(stored);
    this.trim();
    return stored;
  }

  /** Tells listeners that messages were appended (once per produce call). */
  notify(): void {
    for (const listener of [...this.appendListeners]) listener();
  }

  get(sequence: number): StoredRecord | undefined {
    return this.records[sequence - this.base];
  }

  /** Sequence of the first message stored at or after `time`, or `nextSequence` when there is none. */
  sequenceAt(time: Date): number {
    this.trim();
    const t = time.getTime();
    let lo = 0;
    let hi = this.records.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.records[mid].timestamp.getTime() < t) lo = mid + 1;
      else hi = mid;
    }
    return this.base + lo;
  }

  onAppend(listener: () => void): () => void {
    this.appendListeners.add(listener);
    return () => this.appendListeners.delete(listener);
  }

  private trim(): void {
    const oldest = this.now() - this.retention.maxAgeMs;
    let drop = Math.max(0, this.records.length - this.retention.maxMessages);
    while (drop < this.records.length && this.records[drop].timestamp.getTime() < oldest) drop++;
    if (drop > 0) {
      this.records.splice(0, drop);
      this.base += drop;
    }
  }
}
