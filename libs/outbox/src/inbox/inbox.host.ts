import { IdempotencyStore, redactText } from '@databus/common';
import { DatabusDrain, errorMessage } from '@databus/common/internal';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { OutboxPool } from '../sql/outbox-pool';
import { OUTBOX_OPTIONS, OUTBOX_POOL } from '../outbox.constants';
import type { ResolvedOutboxOptions } from '../options/resolve-outbox-options';
import { PostgresIdempotencyStore } from './postgres-idempotency.store';
import { RedisIdempotencyStore } from './redis-idempotency.store';

/**
 * Owns the idempotency store `OutboxModule` provides (under `IDEMPOTENCY_STORE`): the PostgreSQL inbox with
 * its retention cleanup timer, or the Redis one with its client (the `ioredis` package, loaded only then).
 */
@Injectable()
export class InboxHost implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly store: IdempotencyStore;
  private readonly postgres?: PostgresIdempotencyStore;
  private readonly redis?: Redis;
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(OUTBOX_OPTIONS) private readonly options: ResolvedOutboxOptions,
    @Inject(OUTBOX_POOL) pool: OutboxPool,
    drain: DatabusDrain,
  ) {
    const inbox = options.inbox;
    if (inbox.store === 'redis') {
      const { Redis: RedisClient } = require('ioredis') as typeof import('ioredis');
      this.redis = new RedisClient(inbox.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 3 });
      this.store = new RedisIdempotencyStore(
        this.redis,
        inbox.redisPrefix,
        inbox.retentionMs,
        inbox.redisLeaseMs,
      );
    } else {
      this.postgres = new PostgresIdempotencyStore(pool, options.tables.inbox, inbox.retentionMs);
      this.store = this.postgres;
    }
    drain.register(async () => this.stopCleanup());
  }

  onApplicationBootstrap(): void {
    const postgres = this.postgres;
    if (!postgres) return;
    const logger = this.options.logger === false ? undefined : (this.options.logger ?? new Logger('Outbox'));
    this.timer = setInterval(() => {
      postgres
        .cleanup()
        .catch((error) => logger?.warn?.(`Inbox cleanup failed: ${redactText(errorMessage(error))}`));
    }, this.options.inbox.cleanupIntervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopCleanup();
    if (this.redis) await this.redis.quit().catch(() => this.redis?.disconnect());
  }

  private stopCleanup(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
