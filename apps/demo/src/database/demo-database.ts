import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { redactUrl } from '@databus/common';
import { migrateOutbox, OutboxPool } from '@databus/outbox';
import type { LoggerService } from '@nestjs/common';
import { Pool } from 'pg';
import type { DemoConfig } from '../config/demo-config.interface';
import { EmbeddedPostgresPool } from './embedded-postgres';

/** Injection token of the {@link DemoDatabase}. */
export const DEMO_DATABASE = Symbol('demo:database');

/** The PostgreSQL that holds the demo's readings table and the outbox. */
export interface DemoDatabase {
  pool: OutboxPool;
  /** `embedded` (PGlite in this process) or `postgres` (`DATABASE_URL`). */
  kind: 'embedded' | 'postgres';
  /** The qualified name of the demo's own table of posted readings. */
  readingsTable: string;
  close(): Promise<void>;
}

/** The demo's own table: every reading it accepted, written in the transaction of its outbox row. */
function readingsTableSql(schema: string): string {
  return `CREATE TABLE IF NOT EXISTS "${schema}".demo_readings (
    id          bigserial        PRIMARY KEY,
    message_id  text             NOT NULL UNIQUE,
    sensor      text             NOT NULL,
    value       double precision NOT NULL,
    time        timestamptz      NOT NULL,
    recorded_at timestamptz      NOT NULL DEFAULT now()
  )`;
}

/**
 * Opens the demo's database and says which one in the log (there is no fallback from one to the other):
 * - `DATABASE_URL` set: that PostgreSQL server. Its outbox tables come from `npx databus-outbox migrate`
 *   (the module refuses to start without them, naming the command); the demo creates only its own table.
 * - unset (the default): an embedded PostgreSQL (PGlite) persisted in `<dataDir>/postgres`. It is the demo's
 *   own database, so the demo applies the shipped outbox migrations to it (logged), like the command would.
 */
export async function openDemoDatabase(config: DemoConfig, logger: LoggerService): Promise<DemoDatabase> {
  const schema = config.databaseSchema;
  const readingsTable = `"${schema}".demo_readings`;
  if (config.databaseUrl) {
    const pool = new Pool({ connectionString: config.databaseUrl, max: 8, allowExitOnIdle: true });
    try {
      await pool.query(readingsTableSql(schema));
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw error;
    }
    logger.log(
      `Readings and outbox store: PostgreSQL at ${redactUrl(config.databaseUrl)}, schema "${schema}" (DATABASE_URL)`,
    );
    return { pool, kind: 'postgres', readingsTable, close: () => pool.end() };
  }
  const dir = join(config.dataDir, 'postgres');
  const started = Date.now();
  const created = !existsSync(join(dir, 'PG_VERSION'));
  const pool = new EmbeddedPostgresPool(await openPglite(dir, created));
  try {
    const applied = await migrateOutbox(pool, schema);
    await pool.query(readingsTableSql(schema));
    logger.log(
      `Readings and outbox store: embedded PostgreSQL (PGlite) in ${dir}, schema "${schema}", ${created ? 'created' : 'opened'} in ${Date.now() - started} ms; outbox migrations ${applied.length ? `applied: ${applied.join(', ')}` : 'up to date'} (set DATABASE_URL for a PostgreSQL server)`,
    );
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  return { pool, kind: 'embedded', readingsTable, close: () => pool.end() };
}

async function openPglite(dir: string, create: boolean) {
  // Loaded only for the embedded database: the WebAssembly PostgreSQL is not started with DATABASE_URL.
  const { PGlite } = await import('@electric-sql/pglite');
  if (create) mkdirSync(dir, { recursive: true });
  return PGlite.create(dir);
}
