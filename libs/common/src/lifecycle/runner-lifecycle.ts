/**
 * The state and failure of a consumer runner (the queue's handler runner, streaming's consumer runner),
 * written once: `state` and `error` read them; the runner moves `current` through its states and keeps the
 * error it failed with in `lastError`.
 */
export abstract class RunnerLifecycle<S extends string> {
  protected lastError?: Error;

  protected constructor(protected current: S) {}

  get state(): S {
    return this.current;
  }

  /** Why the runner failed (state `failed`). */
  get error(): Error | undefined {
    return this.lastError;
  }
}
