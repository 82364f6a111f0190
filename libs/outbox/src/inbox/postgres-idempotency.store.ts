import type { IdempotencyStore, IdempotentDelivery, IdempotentOutcome } from '@databus/common';
import type { OutboxPool } from '../sql/outbox-pool';
import { withInboxTransaction } from './inbox-transaction';

/**
 * The PostgreSQL inbox: one transaction per delivery that first inserts (consumer, message id) into
 * `databus_inbox`, then runs the handler with that transaction (`@InboxTransaction()`), then commits. A
 * processed message conflicts on the insert and is reported a duplicate without running the handler; a
 * concurrent delivery of the same id waits on the row lock and then sees it. A crash before the commit
 * leaves neither the handler's writes nor the id; a crash after it (before the broker ack) makes the
 * redelivery a duplicate. Expired ids are deleted by `cleanup()`.
 */
export class PostgresIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly pool: OutboxPool,
    private readonly table: string,
    private readonly retentionMs: number,
  ) {}

  async run<T>(delivery: IdempotentDelivery, handler: () => Promise<T>): Promise<IdempotentOutcome<T>> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      try {
        const inserted = await client.query(
          `INSERT INTO ${this.table} (consumer, message_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
          [delivery.consumer, delivery.messageId],
        );
        if (inserted.rowCount === 0) {
          await client.query('ROLLBACK');
          return { duplicate: true };
        }
        const result = await withInboxTransaction(client, handler);
        await client.query('COMMIT');
        return { duplicate: false, result };
      } catch (error) {
        await client.query('ROLLBACK').catch((e: Error) => (broken = e));
        throw error;
      }
    } finally {
      client.release(broken);
    }
  }

  /** Deletes the ids processed longer than the retention ago; resolves with how many. */
  async cleanup(): Promise<number> {
    const { rowCount } = await this.pool.query(
      `DELETE FROM ${this.table} WHERE processed_at < now() - make_interval(secs => $1::double precision / 1000)`,
      [this.retentionMs],
    );
    return rowCount ?? 0;
  }
}
