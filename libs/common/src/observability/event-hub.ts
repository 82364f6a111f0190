/**
 * Fans events out to listeners; a throwing listener never breaks delivery. The one event fan-out of the
 * libs (`TaskQueue.onEvent`, `StreamingModule` events).
 */
export class EventHub<E> {
  private readonly listeners = new Set<(event: E) => void>();

  /** Adds a listener; returns the function that removes it. */
  on(listener: (event: E) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Calls every listener with `event`, those added meanwhile not before the next event. */
  emit(event: E): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch {
        // Observers must not affect message processing.
      }
    }
  }
}
