import { TemporaryError } from '@databus/common';
import type { CentrifugoClient } from '../client/centrifugo.client';
import type { PublishRequest } from '../api/requests';
import type { CentrifugoErrorInfo, PublishResult } from '../api/results';
import { ApiResponseError, CentrifugoErrorCode } from '../errors';

/** What the batcher needs of the client (an interface, so tests can pass a stub). */
export type BatchingClient = Pick<CentrifugoClient, 'batch' | 'endpoint'>;

interface Pending {
  request: PublishRequest;
  resolve(result: PublishResult): void;
  reject(error: unknown): void;
}

// Item errors a later attempt can get past: Centrifugo's internal error (e.g. its engine is down) and rate
// limiting. Every other code (unknown channel, bad request, permission…) fails the same way every time.
const TRANSIENT_CODES: ReadonlySet<number> = new Set([
  CentrifugoErrorCode.INTERNAL,
  CentrifugoErrorCode.TOO_MANY_REQUESTS,
]);

/**
 * Collects the publishes requested during one event-loop tick (or until `maxBatchSize`) and sends them as
 * one Centrifugo `batch` call; each `publish()` settles with its own item's outcome:
 * - item result → resolves with it;
 * - item error with a transient code (100 internal, 111 too many requests) → `TemporaryError` (retried),
 *   any other code → `ApiResponseError` (permanent: dead-lettered by the streaming runtime);
 * - the whole call failed (network, timeout, non-2xx…) → every item rejects with that error.
 */
export class PublishBatcher {
  private pending: Pending[] = [];
  private scheduled?: NodeJS.Immediate;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly client: BatchingClient,
    private readonly maxBatchSize: number,
    private readonly parallel = false,
  ) {}

  /** Queues one publish; resolves or rejects when its batch comes back. */
  publish(request: PublishRequest): Promise<PublishResult> {
    return new Promise<PublishResult>((resolve, reject) => {
      this.pending.push({ request, resolve, reject });
      if (this.pending.length >= this.maxBatchSize) this.flush();
      else this.scheduled ??= setImmediate(() => this.flush());
    });
  }

  /** Sends what is queued now and waits for every batch in flight. */
  async drain(): Promise<void> {
    this.flush();
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private flush(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    if (this.pending.length === 0) return;
    const items = this.pending;
    this.pending = [];
    const sent = this.send(items).finally(() => this.inFlight.delete(sent));
    this.inFlight.add(sent);
  }

  private async send(items: Pending[]): Promise<void> {
    try {
      const { replies } = await this.client.batch({
        commands: items.map((item) => ({ method: 'publish', request: item.request }) as const),
        parallel: this.parallel,
      });
      items.forEach((item, i) => {
        const reply = replies[i];
        if (reply.error) item.reject(this.itemError(reply.error));
        else item.resolve(reply.result);
      });
    } catch (error) {
      for (const item of items) item.reject(error);
    }
  }

  private itemError(error: CentrifugoErrorInfo): Error {
    const apiError = new ApiResponseError('publish', this.client.endpoint, error.code, error.message);
    if (!TRANSIENT_CODES.has(error.code)) return apiError;
    return new TemporaryError(`${apiError.message} Will retry.`, { cause: apiError });
  }
}
