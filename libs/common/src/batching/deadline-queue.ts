/** An entry waiting for its deadline; `done` stops it from expiring. */
export interface DeadlineEntry {
  readonly deadline: number;
  done: boolean;
  expire(): void;
}

/**
 * Expires entries whose deadline passed, with a single unref'd timer for all of them instead of one timer
 * per entry: entries are added in deadline order (they share one timeout), so only the head needs a timer.
 */
export class DeadlineQueue {
  /** Entries from `head` on; the slots before it are emptied, so a settled entry is not kept alive by them. */
  private readonly entries: Array<DeadlineEntry | undefined> = [];
  private head = 0;
  private timer?: NodeJS.Timeout;

  add(entry: DeadlineEntry): void {
    // Entries settled meanwhile leave now, not at the head's deadline: the array stays as long as what waits.
    this.skipDone();
    if (this.head === this.entries.length) {
      this.entries.length = 0;
      this.head = 0;
    } else if (this.head > 1024) {
      this.entries.splice(0, this.head);
      this.head = 0;
    }
    this.entries.push(entry);
    if (!this.timer) this.schedule();
  }

  /** Expires every entry now (the owner is closing). */
  expireAll(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const pending = this.entries.slice(this.head) as DeadlineEntry[];
    this.entries.length = 0;
    this.head = 0;
    for (const entry of pending) if (!entry.done) entry.expire();
  }

  private schedule(): void {
    this.skipDone();
    if (this.head >= this.entries.length) {
      this.entries.length = 0;
      this.head = 0;
      this.timer = undefined;
      return;
    }
    const delay = Math.max(0, (this.entries[this.head] as DeadlineEntry).deadline - Date.now());
    this.timer = setTimeout(() => this.fire(), delay);
    this.timer.unref();
  }

  /** Moves `head` past settled entries, emptying their slots. */
  private skipDone(): void {
    while (this.head < this.entries.length && (this.entries[this.head] as DeadlineEntry).done)
      this.entries[this.head++] = undefined;
  }

  private fire(): void {
    const now = Date.now();
    while (this.head < this.entries.length && (this.entries[this.head] as DeadlineEntry).deadline <= now) {
      const entry = this.entries[this.head] as DeadlineEntry;
      this.entries[this.head++] = undefined;
      if (!entry.done) entry.expire();
    }
    if (this.head > 1024) {
      this.entries.splice(0, this.head);
      this.head = 0;
    }
    this.schedule();
  }
}
