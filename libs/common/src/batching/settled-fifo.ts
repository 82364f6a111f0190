/** An entry of a `SettledFifo`: once `done`, it is dropped instead of served. */
export interface Settleable {
  done: boolean;
}

/** Past this many dropped slots at the front, the array is compacted. */
const COMPACT_AFTER = 1024;

/**
 * A FIFO of entries that may settle (`done`) before their turn, out of order: a waiter that timed out, a
 * deadline whose message was acknowledged. Settled entries at the front are dropped as soon as the queue is
 * read or added to, and a dropped or served slot is emptied at once, so the queue never keeps a finished
 * entry (and what it points to) alive until a compaction. Amortised O(1): a head index, not `Array.shift`.
 */
export class SettledFifo<T extends Settleable> {
  private entries: Array<T | undefined> = [];
  private head = 0;

  /** Adds `entry` at the back. */
  push(entry: T): void {
    this.dropSettled();
    this.entries.push(entry);
  }

  /** The first entry not settled yet, left in the queue; `undefined` when none waits. */
  peek(): T | undefined {
    this.dropSettled();
    return this.entries[this.head];
  }

  /** Takes the first entry not settled yet out of the queue; `undefined` when none waits. */
  shift(): T | undefined {
    const entry = this.peek();
    if (entry !== undefined) {
      this.entries[this.head++] = undefined;
      this.compact();
    }
    return entry;
  }

  /** Empties the queue and answers the entries that were not settled, in order. */
  drain(): T[] {
    const waiting = this.entries.slice(this.head).filter((entry): entry is T => !entry?.done);
    this.entries = [];
    this.head = 0;
    return waiting;
  }

  private dropSettled(): void {
    while (this.head < this.entries.length && (this.entries[this.head] as T).done)
      this.entries[this.head++] = undefined;
    this.compact();
  }

  private compact(): void {
    if (this.head === this.entries.length) {
      this.entries = [];
      this.head = 0;
    } else if (this.head > COMPACT_AFTER) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }
}
