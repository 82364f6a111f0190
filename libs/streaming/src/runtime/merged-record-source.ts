import { SubscriptionClosedError } from '../errors';
import { Offset } from '../offset/offset';
import { IncomingRecord } from '../transport/transport-record.interface';
import { RecordStream } from './record-source';

/**
 * The subscriptions of a dataset pattern read as one: one supervised `RecordSource` per matching dataset
 * (each with its own position, acknowledgements and recovery), merged for the runner or the iterator.
 * - `fetch` asks every dataset at once; the first that has records ends the others' wait, and records that
 *   arrive together are kept (in `pending`) for the next fetch, never dropped;
 * - a record is completed, released or nacked on the source of its own dataset (`record.dataset`);
 * - `seek` moves every dataset to the same position.
 */
export class MergedRecordSource implements RecordStream {
  private readonly byDataset: ReadonlyMap<string, RecordStream>;
  /** Fetched by a source but not yet handed out (more arrived together than asked for). */
  private pending: IncomingRecord[] = [];
  private closed = false;
  /** Rotates which dataset's records go first, so a busy dataset cannot starve the others. */
  private turn = 0;

  constructor(sources: ReadonlyMap<string, RecordStream>) {
    this.byDataset = sources;
  }

  get inFlight(): number {
    let total = 0;
    for (const source of this.byDataset.values()) total += source.inFlight;
    return total;
  }

  /** A merged subscription has no single resume position. */
  get resumedAt(): number | undefined {
    return undefined;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  async open(): Promise<void> {
    await Promise.all([...this.byDataset.values()].map((source) => source.open()));
  }

  async fetch(max: number, maxWaitMs: number, signal?: AbortSignal): Promise<IncomingRecord[]> {
    if (this.closed) throw new SubscriptionClosedError('fetch');
    if (this.pending.length === 0 && !signal?.aborted) await this.fetchAll(max, maxWaitMs, signal);
    return this.pending.splice(0, max);
  }

  /** One fetch per dataset, in parallel; the first records wake the others (whose records are kept). */
  private async fetchAll(max: number, maxWaitMs: number, signal?: AbortSignal): Promise<void> {
    const first = new AbortController();
    const wait = signal ? AbortSignal.any([signal, first.signal]) : first.signal;
    const sources = [...this.byDataset.values()];
    const order = sources
      .slice(this.turn % sources.length)
      .concat(sources.slice(0, this.turn % sources.length));
    this.turn++;
    const batches: IncomingRecord[][] = new Array(order.length);
    try {
      await Promise.all(
        order.map(async (source, i) => {
          const records = await source.fetch(max, maxWaitMs, wait);
          batches[i] = records;
          if (records.length) first.abort();
        }),
      );
    } finally {
      first.abort();
      for (const records of batches) if (records) this.pending.push(...records);
    }
  }

  complete(record: IncomingRecord): void {
    this.byDataset.get(record.dataset)?.complete(record);
  }

  release(record: IncomingRecord): void {
    this.byDataset.get(record.dataset)?.release(record);
  }

  async nack(record: IncomingRecord, delayMs: number): Promise<void> {
    await this.byDataset.get(record.dataset)?.nack(record, delayMs);
  }

  async flush(): Promise<void> {
    await Promise.all([...this.byDataset.values()].map((source) => source.flush()));
  }

  seekTarget(value: unknown, option: string): Offset {
    return [...this.byDataset.values()][0].seekTarget(value, option);
  }

  /** Moves every dataset of the pattern to `value`; records fetched before are dropped, never acknowledged. */
  async seek(value: unknown, option?: string): Promise<void> {
    if (this.closed) throw new SubscriptionClosedError('seek');
    for (const record of this.pending) this.release(record);
    this.pending = [];
    await Promise.all([...this.byDataset.values()].map((source) => source.seek(value, option)));
  }

  /** Gives back what was fetched but not handed out, then closes every dataset's source. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const record of this.pending) this.release(record);
    this.pending = [];
    await Promise.all([...this.byDataset.values()].map((source) => source.close()));
  }
}
