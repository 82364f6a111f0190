import { randomUUID } from 'node:crypto';
import { Pool, PoolClient } from 'pg';
import { migrateOutbox } from '@databus/outbox';

/** The loopback PostgreSQL of the test machines (trust auth, database `test`). */
export const POSTGRES_URL = process.env.DATABUS_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A schema of its own for one test file (dropped by `drop`), migrated unless `migrate: false`. */
export async function testSchema(
  migrate = true,
): Promise<{ pool: Pool; schema: string; drop(): Promise<void> }> {
  const schema = `outbox_${randomUUID().slice(0, 8)}`;
  const pool = new Pool({ connectionString: POSTGRES_URL, max: 8 });
  if (migrate) await migrateOutbox(pool, schema);
  else await pool.query(`CREATE SCHEMA "${schema}"`);
  return {
    pool,
    schema,
    drop: async () => {
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.end();
    },
  };
}

/** Runs `work` in a transaction on a pool client: COMMIT when it resolves, ROLLBACK when it throws. */
export async function inTransaction<T>(pool: Pool, work: (tx: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

/** Rows left in the outbox table of `schema`. */
export async function outboxCount(pool: Pool, schema: string): Promise<number> {
  const { rows } = await pool.query(`SELECT count(*)::int AS n FROM "${schema}".databus_outbox`);
  return rows[0].n as number;
}
