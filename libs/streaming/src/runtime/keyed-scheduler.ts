interface Task {
  key: string | undefined;
  run: () => Promise<void>;
}

/**
 * Runs up to `concurrency` tasks at once while tasks with the same key run one after another, in the order
 * they were submitted. Tasks without a key are independent of each other.
 */
export class KeyedScheduler {
  private running = 0;
  private waiting = 0;
  private readonly ready: Task[] = [];
  private readonly waitingByKey = new Map<string, Task[]>();
  private readonly activeKeys = new Set<string>();
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly concurrency: number) {}

  /** Tasks submitted and not finished. */
  get pending(): number {
    return this.running + this.ready.length + this.waiting;
  }

  submit(key: string | undefined, run: () => Promise<void>): void {
    const task = { key, run };
    if (key !== undefined && this.activeKeys.has(key)) {
      const list = this.waitingByKey.get(key);
      if (list) list.push(task);
      else this.waitingByKey.set(key, [task]);
      this.waiting++;
      return;
    }
    if (key !== undefined) this.activeKeys.add(key);
    this.ready.push(task);
    this.pump();
  }

  /** Resolves when every submitted task has finished. */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    while (this.running < this.concurrency && this.ready.length > 0) {
      const task = this.ready.shift() as Task;
      this.running++;
      // Tasks handle their own failures; a rejection only must not stop the scheduler.
      const finish = (): void => this.finish(task);
      task.run().then(finish, finish);
    }
  }

  private finish(task: Task): void {
    this.running--;
    if (task.key !== undefined) {
      const list = this.waitingByKey.get(task.key);
      const next = list?.shift();
      if (list && list.length === 0) this.waitingByKey.delete(task.key);
      if (next) {
        this.waiting--;
        this.ready.push(next);
      } else this.activeKeys.delete(task.key);
    }
    this.pump();
    if (this.pending === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }
}
