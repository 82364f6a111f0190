/**
 * A transport's connection state, as a discriminated union on `type`.
 * @publicApi
 */
export type TransportStatus =
  | { type: 'connecting' }
  | { type: 'connected' }
  | { type: 'disconnected'; error?: Error }
  | { type: 'reconnecting'; attempt: number; delayMs: number; error?: Error }
  | { type: 'closed' }
  | { type: 'failed'; error: Error };

/** Receives status changes. */
export type TransportStatusListener = (status: TransportStatus) => void;

/**
 * Keeps the current status and notifies listeners (each transport holds one, through `BaseTransport`).
 */
export class StatusEmitter {
  private current: TransportStatus = { type: 'connecting' };
  private readonly listeners = new Set<TransportStatusListener>();

  get status(): TransportStatus {
    return this.current;
  }

  set(status: TransportStatus): void {
    this.current = status;
    for (const listener of [...this.listeners]) {
      try {
        listener(status);
      } catch {
        // A faulty observer must not break the transport.
      }
    }
  }

  on(listener: TransportStatusListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
