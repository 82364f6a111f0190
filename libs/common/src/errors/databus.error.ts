/**
 * Root of every error thrown by databus.
 *
 * `retriable` tells retry loops (and users) whether trying the same operation again can succeed:
 * `TemporaryError` and its subclasses are retriable, `PermanentError` and its subclasses are not.
 * The original failure, when there is one, is kept in `cause`.
 * @publicApi
 */
export abstract class DatabusError extends Error {
  /** Whether repeating the failed operation may succeed. */
  abstract readonly retriable: boolean;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    // Stable names in logs and in `instanceof`-free checks across package copies.
    this.name = new.target.name;
  }
}

/** True when `error` is a databus error that says it may succeed when retried. @publicApi */
export function isRetriable(error: unknown): boolean {
  return error instanceof DatabusError && error.retriable;
}
