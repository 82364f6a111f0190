import { TemporaryError } from '@databus/common';
import type { IdempotencyStore, IdempotentDelivery, IdempotentOutcome } from '@databus/common';
import type { Redis } from 'ioredis';

const RUNNING = 'running';
const DONE = 'done';

/**
 * The Redis inbox, for handlers without a database transaction. Per delivery: claim the key
 * `<prefix><consumer>:<id>` with `SET NX` for `leaseMs`; run the handler; mark the key done for the
 * retention. A key already done is a duplicate; one still claimed by another delivery is a `TemporaryError`
 * (retried with backoff). A failing handler releases its claim.
 *
 * Weaker than the PostgreSQL store: the handler's effect and the done mark are not atomic, so a crash after
 * the effect and before the mark runs the handler again once the lease expired (at-least-once, duplicates
 * only in that window).
 */
export class RedisIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly redis: Pick<Redis, 'set' | 'get' | 'del'>,
    private readonly prefix: string,
    private readonly retentionMs: number,
    private readonly leaseMs: number,
  ) {}

  async run<T>(delivery: IdempotentDelivery, handler: () => Promise<T>): Promise<IdempotentOutcome<T>> {
    const key = `${this.prefix}${delivery.consumer}:${delivery.messageId}`;
    const claimed = await this.redis.set(key, RUNNING, 'PX', this.leaseMs, 'NX');
    if (claimed !== 'OK') {
      if ((await this.redis.get(key)) === DONE) return { duplicate: true };
      throw new TemporaryError(
        `${delivery.consumer}: message ${delivery.messageId} is being processed by another delivery`,
      );
    }
    let result: T;
    try {
      result = await handler();
    } catch (error) {
      await this.redis.del(key).catch(() => undefined);
      throw error;
    }
    await this.redis.set(key, DONE, 'PX', this.retentionMs);
    return { duplicate: false, result };
  }
}
