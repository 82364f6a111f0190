import type { BackoffOptions } from '@databus/common';
import type { LoggerService } from '@nestjs/common';
import type { OutboxPool } from '../sql/outbox-pool';
import type { TransactionAdapter } from '../sql/sql-executor';
import type { IdempotencyStoreOptions } from '../inbox/inbox-options.interface';

/** How the relay publishes committed rows. @publicApi */
export interface OutboxRelayOptions {
  /** Rows claimed (and published) per round. @default 100 */
  batchSize?: number;
  /**
   * Permanent refusals of one row (`isPermanentFailure`: payload too large, dataset refused) after which the
   * relay moves it to `databus_outbox_dead`, logs one ERROR and goes on with the later rows of its key (they
   * wait while it is retried). Transient failures (broker down) never count: those rows are retried without
   * limit. @default 5
   */
  maxAttempts?: number;
  /** Fallback poll when no notification arrives (LISTEN lost, notifications off). @default 1_000 */
  pollIntervalMs?: number;
  /** Wake up on `LISTEN databus_outbox` notifications, sent by the trigger when a transaction commits. @default true */
  listen?: boolean;
  /** Backoff after a failed round (broker down, database down): the rows stay and are tried again. @default { initialMs: 200, maxMs: 10_000 } */
  backoff?: BackoffOptions;
  /** How long shutdown waits for the round in flight to finish (its rows are published again later otherwise). @default 10_000 */
  shutdownTimeoutMs?: number;
}

/**
 * Options of `OutboxModule.forRoot` / `forRootAsync`.
 * @publicApi
 */
export interface OutboxModuleOptions {
  /**
   * The application's node-postgres pool (the outbox never ends it), or another `OutboxPool`. Either this or
   * `connectionString`.
   */
  pool?: OutboxPool;
  /** A PostgreSQL URL; the module then opens (and closes) its own pool. */
  connectionString?: string;
  /** Schema holding the tables (`npx databus-outbox migrate --schema`). @default 'public' */
  schema?: string;
  /** Transaction adapters tried in order for `tx`. @default pg, TypeORM EntityManager, Prisma */
  adapters?: TransactionAdapter[];
  /** Run the relay in this application; `false` for instances that only write (a worker elsewhere relays). @default true */
  relay?: boolean | OutboxRelayOptions;
  /** The inbox of `idempotent: true` handlers. @default the PostgreSQL store, inbox rows kept 7 days */
  inbox?: IdempotencyStoreOptions;
  /** Where the module logs; `false` silences it. @default Nest's `Logger` with context `Outbox` */
  logger?: LoggerService | false;
}
