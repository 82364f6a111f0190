import { SubscriptionClosedError } from '../errors';
import { IncomingRecord } from './transport-record.interface';

/** How a transport's buffered items become records (methods, so no closure is made per message). */
export interface RecordBufferHooks<T> {
  /** Turns a buffered item into the record handed out, noting it as outstanding where the transport tracks that. */
  handOut(item: T): IncomingRecord;
  /** How many more records may be handed out now (the prefetch room). Omitted: no bound. */
  room?(): number;
  /** Takes up to `max` items from a store outside the buffer when the buffer has run short (memory's group). */
  pull?(max: number): readonly T[];
  /** Whether `pull` would give something. */
  canPull?(): boolean;
  /** Called after a take handed out records (e.g. to resume a paused socket). */
  afterTake?(): void;
}

/** Construction options of a `RecordBuffer`. */
export interface RecordBufferOptions {
  /**
   * Whether a waiting fetch keeps the process alive. Off for broker transports (their socket does); on for
   * the memory transport, whose waiting consumer is the only thing a worker may be doing.
   * @default false
   */
  keepAlive?: boolean;
}

/** One fetch waiting for records: one timer and one abort listener per wait, never per message. */
class Wait {
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly waits: Set<Wait>,
    private readonly resolve: () => void,
    ms: number,
    keepAlive: boolean,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.timer = setTimeout(this.finish, ms);
    if (!keepAlive) this.timer.unref();
    signal?.addEventListener('abort', this.finish, { once: true });
    waits.add(this);
  }

  readonly finish = (): void => {
    clearTimeout(this.timer);
    this.signal?.removeEventListener('abort', this.finish);
    this.waits.delete(this);
    this.resolve();
  };
}

/**
 * The records of one transport subscription waiting to be fetched, and the long poll over them
 * (`TransportSubscription.fetch`), written once for every transport:
 * - a fetch returns what is already available at once (up to `max`, within the prefetch room), and waits up
 *   to `maxWaitMs` only while nothing is;
 * - a failure (`fail`) is reported by the first fetch that finds nothing to hand out; a closed buffer hands
 *   out nothing and makes waiting fetches return empty;
 * - the transport calls `wake()` when something outside the buffer changed (room after an ack, a member
 *   became active) so a waiting fetch looks again.
 */
export class RecordBuffer<T> {
  private items: T[] = [];
  private head = 0;
  private readonly waits = new Set<Wait>();
  private error?: Error;
  private dropping = false;
  private isClosed = false;
  private readonly keepAlive: boolean;

  constructor(
    private readonly hooks: RecordBufferHooks<T>,
    options: RecordBufferOptions = {},
  ) {
    this.keepAlive = options.keepAlive ?? false;
  }

  /** Items buffered and not handed out yet. */
  get length(): number {
    return this.items.length - this.head;
  }

  /** The failure `fail` recorded, if any. */
  get failure(): Error | undefined {
    return this.error;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Adds a delivery and wakes a waiting fetch. Ignored once closed, or failed with `keepBuffered: false`. */
  push(item: T): void {
    if (this.isClosed || this.dropping) return;
    this.items.push(item);
    if (this.waits.size > 0) this.wake();
  }

  /** Up to `max` records, within the prefetch room, handed out now (buffered ones first, then pulled ones). */
  take(max: number): IncomingRecord[] {
    const out: IncomingRecord[] = [];
    if (this.isClosed) return out;
    const wanted = this.hooks.room ? Math.min(max, this.hooks.room()) : max;
    const items = this.items;
    while (out.length < wanted && this.head < items.length) {
      const item = items[this.head];
      items[this.head++] = undefined as T; // let it be collected
      out.push(this.hooks.handOut(item));
    }
    if (this.head === items.length) this.reset();
    else if (this.head > 1024 && this.head * 2 > items.length) this.compact();
    if (out.length < wanted && this.hooks.pull)
      for (const item of this.hooks.pull(wanted - out.length)) out.push(this.hooks.handOut(item));
    if (out.length > 0) this.hooks.afterTake?.();
    return out;
  }

  /**
   * `TransportSubscription.fetch`: what is available at once (up to `max`); while nothing is, waits up to
   * `maxWaitMs` (less when `signal` aborts). Rejects with the recorded failure when there is nothing to hand
   * out, and with `SubscriptionClosedError` when called on a closed buffer.
   */
  async fetch(max: number, maxWaitMs: number, signal?: AbortSignal): Promise<IncomingRecord[]> {
    if (this.isClosed) throw new SubscriptionClosedError('fetch');
    let out = this.take(max);
    if (out.length > 0) return out;
    if (this.error) throw this.error;
    if (maxWaitMs <= 0 || signal?.aborted) return out;
    const deadline = Date.now() + maxWaitMs;
    for (;;) {
      await new Promise<void>(
        (resolve) => new Wait(this.waits, resolve, deadline - Date.now(), this.keepAlive, signal),
      );
      if (this.isClosed) return [];
      out = this.take(max);
      if (out.length > 0) return out;
      if (this.error) throw this.error;
      // Woken for another fetch, or for room that another fetch used: wait for the rest of the time.
      if (signal?.aborted || Date.now() >= deadline) return out;
    }
  }

  /** Makes waiting fetches look again (room after an ack, a state change of the subscription). */
  wake(): void {
    if (this.waits.size === 0) return;
    if (!this.isClosed && !this.error && !this.hasAvailable()) return;
    for (const wait of [...this.waits]) wait.finish();
  }

  /**
   * Records a failure: fetches report it once nothing is left to hand out. `keepBuffered: false` (default)
   * drops what is buffered and ignores later deliveries, so the failure is reported at once.
   */
  fail(error: Error, options: { keepBuffered?: boolean } = {}): void {
    if (this.error || this.isClosed) return;
    this.error = error;
    if (!options.keepBuffered) {
      this.dropping = true;
      this.reset();
    }
    this.wake();
  }

  /** Removes buffered items `drop` selects (revoked partitions, deliveries of an old connection). */
  removeWhere(drop: (item: T) => boolean): void {
    const kept: T[] = [];
    for (let i = this.head; i < this.items.length; i++) if (!drop(this.items[i])) kept.push(this.items[i]);
    this.items = kept;
    this.head = 0;
  }

  /** Removes and returns everything buffered (to give it back to the broker). */
  drain(): T[] {
    const out = this.items.slice(this.head);
    this.reset();
    return out;
  }

  /** Drops everything buffered (after a seek); a recorded failure stays. */
  clear(): void {
    this.reset();
  }

  /** Drops everything buffered and forgets the failure: delivery starts over (a consumer made anew). */
  restart(): void {
    this.reset();
    this.error = undefined;
    this.dropping = false;
  }

  /** Drops everything, ignores later deliveries and ends waiting fetches (they return empty). Idempotent. */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.reset();
    for (const wait of [...this.waits]) wait.finish();
  }

  private hasAvailable(): boolean {
    if (this.hooks.room && this.hooks.room() <= 0) return false;
    return this.length > 0 || (this.hooks.canPull?.() ?? false);
  }

  private reset(): void {
    this.items.length = 0;
    this.head = 0;
  }

  private compact(): void {
    this.items = this.items.slice(this.head);
    this.head = 0;
  }
}
