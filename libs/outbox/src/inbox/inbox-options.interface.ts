/**
 * Where `idempotent: true` handlers record the message ids they processed.
 * - `'postgres'` (default): the `databus_inbox` table, in the same transaction as the handler's own writes
 *   (the handler takes the transaction with `@InboxTransaction()` or `currentInboxTransaction()`): a message
 *   is either processed and recorded, or neither. Exactly-once effects for the handler's database writes.
 * - `'redis'`: a key per message id, for handlers without a database transaction. Weaker: a crash after the
 *   handler's effect and before the key is written runs the handler again on redelivery (at-least-once, with
 *   duplicates only in that window).
 * @publicApi
 */
export interface IdempotencyStoreOptions {
  /** @default 'postgres' */
  store?: 'postgres' | 'redis';
  /** How long a processed message id is remembered; a redelivery later than this runs the handler again. @default 7 days */
  retentionMs?: number;
  /** How often expired inbox rows are deleted (postgres store). @default 1 hour */
  cleanupIntervalMs?: number;
  /** Redis URL of the redis store. @default 'redis://127.0.0.1:6379' */
  redisUrl?: string;
  /** Key prefix of the redis store. @default 'databus:inbox:' */
  redisPrefix?: string;
  /** How long the redis store holds a message while its handler runs (a crashed holder's claim expires). @default 60_000 */
  redisLeaseMs?: number;
}
