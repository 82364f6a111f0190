import type { BackendStatus } from './queue-backend.interface';

/** A tiny typed listener list for backend status; listener errors never reach the backend. */
export class StatusEmitter {
  private readonly listeners = new Set<(status: BackendStatus) => void>();

  on(listener: (status: BackendStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(status: BackendStatus): void {
    for (const listener of this.listeners) {
      try {
        listener(status);
      } catch {
        // A faulty status listener must not break reconnection.
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}
