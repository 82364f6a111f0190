import { SubscriptionClosedError } from '../errors';
import { Offset } from '../offset/offset';
import { IncomingRecord } from '../transport/transport-record.interface';
import { RecordStream } from './record-source';

/** What a merged source asks of its owner. */
export interface MergedSourceHooks {
  /** Runs once when the merged source closes (stops the discovery of new datasets). */
  onClose?: () => void;
  /** Checks a seek target while no dataset has joined yet (see `RecordStream.seekTarget`). */
  seekTarget?: (value: unknown, option: string) => Offset;
}

/**
 * The subscriptions of a dataset pattern read as one: one supervised `RecordSource` per matching dataset
 * (each with its own position, acknowledgements and recovery), merged for the runner or the iterator.
 * - `fetch` asks every dataset at once; the first that has records ends the others' wait, and records that
 *   arrive together are kept (in `pending`) for the next fetch, never dropped;
 * - datasets join while it runs (`add`: a dataset created after the subscription started): a waiting fetch
 *   then asks the new one too; with no dataset yet, `fetch` waits for one (up to `maxWaitMs`);
 * - a record is completed, released or nacked on the source of its own dataset (`record.dataset`);
 * - `seek` moves every dataset to the same position.
 */
export class MergedRecordSource implements RecordStream {
  private readonly byDataset = new Map<string, RecordStream>();
  /** Fetched by a source but not yet handed out (more arrived together than asked for). */
  private pending: IncomingRecord[] = [];
  private closed = false;
  /** Rotates which dataset's records go first, so a busy dataset cannot starve the others. */
  private turn = 0;
  /** Aborted when a dataset joins, so a waiting fetch starts over with it. */
  private joined = new AbortController();
  private readonly hooks: MergedSourceHooks;

  constructor(sources: ReadonlyMap<string, RecordStream> = new Map(), hooks: MergedSourceHooks = {}) {
    for (const [dataset, source] of sources) this.byDataset.set(dataset, source);
    this.hooks = hooks;
  }

  /** The datasets read so far, in the order they joined. */
  get datasets(): string[] {
    return [...this.byDataset.keys()];
  }

  has(dataset: string): boolean {
    return this.byDataset.has(dataset);
  }

  /**
   * Adds the opened source of a dataset that joined the pattern; a fetch waiting now asks it too. After
   * `close()` the source is closed instead. Returns false when the dataset was there already (not added).
   */
  async add(dataset: string, source: RecordStream): Promise<boolean> {
    if (this.closed || this.byDataset.has(dataset)) {
      await source.close();
      return false;
    }
    this.byDataset.set(dataset, source);
    const joined = this.joined;
    this.joined = new AbortController();
    joined.abort();
    return true;
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
    const deadline = Date.now() + maxWaitMs;
    // Started over when a dataset joins during the wait, until records come or the wait is over.
    while (this.pending.length === 0 && !signal?.aborted && !this.closed) {
      const joined = this.joined.signal;
      const left = Math.max(0, deadline - Date.now());
      if (this.byDataset.size === 0) await waitFor(left, signal ? [signal, joined] : [joined]);
      else await this.fetchAll(max, left, joined, signal);
      if (!joined.aborted || Date.now() >= deadline) break;
    }
    return this.pending.splice(0, max);
  }

  /** One fetch per dataset, in parallel; the first records (or a dataset joining) wake the others. */
  private async fetchAll(
    max: number,
    maxWaitMs: number,
    joined: AbortSignal,
    signal?: AbortSignal,
  ): Promise<void> {
    const first = new AbortController();
    const wait = AbortSignal.any(signal ? [signal, joined, first.signal] : [joined, first.signal]);
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
    const first = this.byDataset.values().next().value;
    if (first) return first.seekTarget(value, option);
    if (!this.hooks.seekTarget) throw new SubscriptionClosedError(`${option}: no dataset to seek`);
    return this.hooks.seekTarget(value, option);
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
    this.hooks.onClose?.();
    this.joined.abort();
    for (const record of this.pending) this.release(record);
    this.pending = [];
    await Promise.all([...this.byDataset.values()].map((source) => source.close()));
  }
}

/** Resolves after `ms`, or as soon as one of `signals` aborts. */
function waitFor(ms: number, signals: AbortSignal[]): Promise<void> {
  return new Promise((resolve) => {
    const any = AbortSignal.any(signals);
    if (any.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      any.removeEventListener('abort', done);
      resolve();
    }
    any.addEventListener('abort', done, { once: true });
  });
}
