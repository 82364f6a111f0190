import { SettledFifo } from './settled-fifo';

/** An entry waiting for its deadline; `done` stops it from expiring. */
export interface DeadlineEntry {
  readonly deadline: number;
  done: boolean;
  expire(): void;
}

/**
 * Expires entries whose deadline passed, with a single unref'd timer for all of them instead of one timer
 * per entry: entries are added in deadline order (they share one timeout), so only the head needs a timer.
 * Entries settled meanwhile leave as soon as the queue moves past them, not at their deadline.
 */
export class DeadlineQueue {
  private readonly entries = new SettledFifo<DeadlineEntry>();
  private timer?: NodeJS.Timeout;

  add(entry: DeadlineEntry): void {
    this.entries.push(entry);
    if (!this.timer) this.schedule();
  }

  /** Expires every entry now (the owner is closing). */
  expireAll(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const entry of this.entries.drain()) if (!entry.done) entry.expire();
  }

  private schedule(): void {
    const next = this.entries.peek();
    if (next === undefined) {
      this.timer = undefined;
      return;
    }
    this.timer = setTimeout(() => this.fire(), Math.max(0, next.deadline - Date.now()));
    this.timer.unref();
  }

  private fire(): void {
    const now = Date.now();
    for (
      let next = this.entries.peek();
      next !== undefined && next.deadline <= now;
      next = this.entries.peek()
    ) {
      this.entries.shift();
      next.expire();
    }
    this.schedule();
  }
}
