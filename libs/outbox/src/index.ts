/**
 * @databus/outbox: the transactional outbox and the idempotent inbox on PostgreSQL for databus.
 * `OutboxService.produce(tx, …)` / `.enqueue(tx, …)` write messages in the caller's transaction; the relay
 * publishes them through `ChannelService` / `TaskQueue` after the commit. Tables come from the shipped
 * migration: `npx databus-outbox migrate --url postgres://…`.
 */
export { OutboxModule } from './outbox.module';
export {
  OUTBOX_MODULE_OPTIONS,
  OUTBOX_OPTIONS_TYPE,
  OUTBOX_ASYNC_OPTIONS_TYPE,
  type OutboxModuleExtras,
} from './outbox.module-definition';
export type { OutboxModuleOptions, OutboxRelayOptions } from './options/outbox-options.interface';
export type { IdempotencyStoreOptions } from './inbox/inbox-options.interface';
export { OutboxService, type OutboxProduceOptions, type OutboxEnqueueOptions } from './outbox/outbox.service';
export type { OutboxPool, OutboxPoolClient, OutboxQueryResult } from './sql/outbox-pool';
export {
  type SqlExecutor,
  type TransactionAdapter,
  pgTransactionAdapter,
  typeormTransactionAdapter,
  prismaTransactionAdapter,
  DEFAULT_TRANSACTION_ADAPTERS,
} from './sql/sql-executor';
export { OUTBOX_POOL, MESSAGE_ID_HEADER, MIGRATE_COMMAND } from './outbox.constants';
export { migrateOutbox, assertOutboxSchema, OUTBOX_MIGRATIONS_DIR } from './schema/migrate';
export { InboxTransaction, currentInboxTransaction } from './inbox/inbox-transaction';
export { PostgresIdempotencyStore } from './inbox/postgres-idempotency.store';
export { RedisIdempotencyStore } from './inbox/redis-idempotency.store';
