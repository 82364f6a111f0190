import { IncomingRecord } from '../../transport/transport-record.interface';

/**
 * Deliveries of one stream consumer waiting to be fetched. Hands out at most `prefetch` records that are
 * not acknowledged yet (RabbitMQ grants stream credit per chunk, so the buffer itself may exceed
 * `prefetch` by up to one chunk), and lets one fetch wait for enough of them.
 */
export class AmqpDeliveryBuffer {
  private readonly records: IncomingRecord[] = [];
  /** Offsets handed out and not acknowledged yet, in delivery order. */
  private readonly outstanding: number[] = [];
  private waiter?: () => void;

  constructor(private readonly prefetch: number) {}

  push(record: IncomingRecord): void {
    this.records.push(record);
    this.waiter?.();
  }

  /** Up to `max` records, within the prefetch bound. */
  take(max: number): IncomingRecord[] {
    const records = this.records.splice(0, this.available(max));
    for (const record of records) this.outstanding.push(record.sequence);
    return records;
  }

  /** Everything up to `sequence` was acknowledged: room for more. */
  acknowledged(sequence: number): void {
    while (this.outstanding.length > 0 && this.outstanding[0] <= sequence) this.outstanding.shift();
    this.waiter?.();
  }

  /** Drops every delivery and hand-out (after a seek or on close). */
  clear(): void {
    this.records.length = 0;
    this.outstanding.length = 0;
  }

  /**
   * Resolves when `max` records can be taken, after `maxWaitMs`, when `signal` aborts, or when `interrupted()`
   * turns true at a `wake()` (subscription lost or closed).
   */
  waitFor(max: number, maxWaitMs: number, interrupted: () => boolean, signal?: AbortSignal): Promise<void> {
    if (this.available(max) >= max || maxWaitMs <= 0 || signal?.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const finish = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', finish);
        if (this.waiter === check) this.waiter = undefined;
        resolve();
      };
      const check = (): void => {
        if (this.available(max) >= max || interrupted()) finish();
      };
      const timer = setTimeout(finish, maxWaitMs);
      timer.unref();
      signal?.addEventListener('abort', finish, { once: true });
      this.waiter = check;
    });
  }

  /** Re-checks a waiting fetch (new state elsewhere, e.g. the subscription became active or was lost). */
  wake(): void {
    this.waiter?.();
  }

  private available(max: number): number {
    return Math.max(0, Math.min(max, this.records.length, this.prefetch - this.outstanding.length));
  }
}
