import { GatewayTimeoutException, Injectable, OnModuleDestroy } from '@nestjs/common';

/** The header that carries a posted reading's id through the dataset to the handler that stores it. */
export const READING_ID_HEADER = 'x-demo-reading-id';

/** How long `POST …/readings` waits for its reading to be stored before it answers 504. */
export const STORE_TIMEOUT_MS = 10_000;

/** Where the handler stored a reading: the sequence it consumed it at and the message id it carried. */
export interface ReadingReceipt {
  sequence: number;
  messageId: string;
}

interface Waiter {
  resolve(receipt: ReadingReceipt): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * Receipts for posted readings: `POST …/readings` waits for one (`expect`) and the dataset handler hands it
 * over once the reading is in the store (`stored`), so a GET right after the POST sees the reading. The
 * receipt carries the sequence the consumer saw, which every transport knows (a producer does not always:
 * RabbitMQ streams confirm a publish without its offset).
 */
@Injectable()
export class ReadingReceipts implements OnModuleDestroy {
  private readonly waiting = new Map<string, Waiter>();

  /**
   * Resolves with the reading's receipt once `stored(id, …)` is called; rejects with a 504
   * `GatewayTimeoutException` after `timeoutMs`. Call it before producing, so a fast handler cannot be missed.
   */
  expect(id: string, what: string, timeoutMs = STORE_TIMEOUT_MS): Promise<ReadingReceipt> {
    return new Promise<ReadingReceipt>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(
          new GatewayTimeoutException(
            `${what} was published but not stored within ${timeoutMs / 1000} s (is the readings handler running?)`,
          ),
        );
      }, timeoutMs);
      timer.unref();
      this.waiting.set(id, { resolve, reject, timer });
    });
  }

  /** The handler stored the reading `id` (absent for readings that were not posted here). */
  stored(id: string | undefined, receipt: ReadingReceipt): void {
    const waiter = id === undefined ? undefined : this.waiting.get(id);
    if (!waiter || id === undefined) return;
    this.waiting.delete(id);
    clearTimeout(waiter.timer);
    waiter.resolve(receipt);
  }

  /** Stops waiting for `id` (its produce failed). */
  cancel(id: string): void {
    const waiter = this.waiting.get(id);
    if (!waiter) return;
    this.waiting.delete(id);
    clearTimeout(waiter.timer);
  }

  onModuleDestroy(): void {
    for (const [id, waiter] of this.waiting) {
      clearTimeout(waiter.timer);
      waiter.reject(new GatewayTimeoutException('the demo is shutting down before the reading was stored'));
      this.waiting.delete(id);
    }
  }
}
