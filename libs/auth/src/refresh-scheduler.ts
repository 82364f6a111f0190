import { MAX_TIMER_DELAY_MS } from './auth.constants';

/**
 * One pending background action at a time (the next refresh or retry), on an `unref()`'d timer so that it
 * never keeps a process alive. Delays beyond `setTimeout`'s limit (~24.8 days) are split into steps and
 * re-armed, instead of firing at once.
 */
export class RefreshScheduler {
  private timer: NodeJS.Timeout | undefined;
  private due: number | undefined;

  constructor(private readonly now: () => number) {}

  /** Runs `task` at epoch ms `at` (at once when in the past), replacing whatever was pending. */
  schedule(at: number, task: () => void): void {
    this.cancel();
    this.due = at;
    this.arm(at, task);
  }

  /** When the pending task runs, epoch ms; `undefined` when nothing is pending. */
  get dueAt(): number | undefined {
    return this.due;
  }

  /** Drops the pending task. */
  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.due = undefined;
  }

  private arm(at: number, task: () => void): void {
    const delay = Math.max(0, at - this.now());
    const step = Math.min(delay, MAX_TIMER_DELAY_MS);
    const final = step === delay;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (final) {
        this.due = undefined;
        task();
      } else this.arm(at, task);
    }, step);
    this.timer.unref?.();
  }
}
