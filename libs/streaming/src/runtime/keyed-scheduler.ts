/** Runs one item; returns a promise only when the work did not finish synchronously. */
export type ScheduledWork<T, R> = (item: T) => R | PromiseLike<R>;

const callTask = (task: () => unknown): unknown => task();
const ignore = (): void => undefined;

/**
 * Runs up to `concurrency` items at once while items with the same key run one after another, in the order
 * they were submitted. Items without a key are independent of each other.
 *
 * Work that finishes synchronously (returns no promise) is completed at once, in the same loop, with no
 * promise or closure per item; only work that returns a promise is awaited.
 */
export class KeyedScheduler<T = () => void | PromiseLike<unknown>, R = unknown> {
  private running = 0;
  private waiting = 0;
  /**
   * Ready to run, from `readyHead` to `readyTail`: keys and items in parallel arrays (no object per item).
   * The arrays keep their slots when they run empty (the indices go back to 0), so a submit that runs at once
   * neither grows nor truncates them.
   */
  private readyKeys: Array<string | undefined> = [];
  private readyItems: T[] = [];
  private readyHead = 0;
  private readyTail = 0;
  private readonly waitingByKey = new Map<string, T[]>();
  private readonly activeKeys = new Set<string>();
  private idleWaiters: Array<() => void> = [];
  private pumping = false;

  /**
   * @param work runs an item
   * @param after gets each item's result once its work finished (resolved), before the next item of its
   *   key starts; not called when the work throws or rejects
   */
  constructor(
    private readonly concurrency: number,
    private readonly work: ScheduledWork<T, R> = callTask as ScheduledWork<T, R>,
    private readonly after: (item: T, result: R) => void = ignore,
  ) {}

  /** Items submitted and not finished. */
  get pending(): number {
    return this.running + (this.readyTail - this.readyHead) + this.waiting;
  }

  submit(key: string | undefined, item: T): void {
    // One at a time runs everything in submission order, which keeps every key's order: no key bookkeeping.
    if (key !== undefined && this.concurrency > 1) {
      if (this.activeKeys.has(key)) {
        const list = this.waitingByKey.get(key);
        if (list) list.push(item);
        else this.waitingByKey.set(key, [item]);
        this.waiting++;
        return;
      }
      this.activeKeys.add(key);
    }
    this.enqueue(key, item);
    this.pump();
  }

  /** Resolves when every submitted item has finished. */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    if (this.pumping) return; // submitted from inside a synchronous item: the loop below picks it up
    this.pumping = true;
    try {
      while (this.running < this.concurrency && this.readyHead < this.readyTail) {
        const head = this.readyHead;
        const key = this.readyKeys[head];
        const item = this.readyItems[head];
        this.readyKeys[head] = undefined;
        this.readyItems[head] = undefined as T; // let it be collected
        this.readyHead = head + 1;
        if (this.readyHead === this.readyTail) {
          this.readyHead = 0;
          this.readyTail = 0;
        } else if (this.readyHead > 1024 && this.readyHead * 2 > this.readyTail) {
          this.readyKeys.splice(0, this.readyHead);
          this.readyItems.splice(0, this.readyHead);
          this.readyTail -= this.readyHead;
          this.readyHead = 0;
        }
        this.running++;
        let result: R | PromiseLike<R>;
        try {
          result = this.work(item);
        } catch {
          this.finish(key); // items handle their own failures; a throw only must not stop the scheduler
          continue;
        }
        if (isThenable(result)) void this.settle(key, item, result);
        else {
          this.after(item, result);
          this.finish(key);
        }
      }
    } finally {
      this.pumping = false;
    }
    if (this.pending === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  private async settle(key: string | undefined, item: T, pending: PromiseLike<R>): Promise<void> {
    try {
      this.after(item, await pending);
    } catch {
      // items handle their own failures; a rejection only must not stop the scheduler
    }
    this.finish(key);
    this.pump();
  }

  /** Frees the item's slot and lets the next item of its key run. */
  private finish(key: string | undefined): void {
    this.running--;
    if (key === undefined || this.concurrency === 1) return;
    const list = this.waitingByKey.get(key);
    const next = list?.shift();
    if (list && list.length === 0) this.waitingByKey.delete(key);
    if (next !== undefined) {
      this.waiting--;
      this.enqueue(key, next);
    } else this.activeKeys.delete(key);
  }

  private enqueue(key: string | undefined, item: T): void {
    const tail = this.readyTail;
    this.readyKeys[tail] = key;
    this.readyItems[tail] = item;
    this.readyTail = tail + 1;
  }
}

/** Whether `value` is a promise (or any thenable): work that has not finished yet. */
export function isThenable<R>(value: R | PromiseLike<R>): value is PromiseLike<R> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
