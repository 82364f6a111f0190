import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigurationError } from '@databus/common';
import { MIGRATE_COMMAND, SCHEMA_VERSION } from '../outbox.constants';
import { tableNames } from '../sql/table-names';

/** The folder of the SQL migrations shipped in the package (`migrations/NNN_name.sql`). @publicApi */
export const OUTBOX_MIGRATIONS_DIR = join(__dirname, '..', '..', 'migrations');

/** What `migrate` needs of a node-postgres `Client` or `Pool`. */
export interface MigrationClient {
  query(sql: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

/** The shipped migrations in order: `{ version, file, sql }`. */
export function outboxMigrations(): { version: number; file: string; sql: string }[] {
  return readdirSync(OUTBOX_MIGRATIONS_DIR)
    .filter((f) => /^\d+_.*\.sql$/.test(f))
    .sort()
    .map((file) => ({
      version: Number(file.split('_')[0]),
      file,
      sql: readFileSync(join(OUTBOX_MIGRATIONS_DIR, file), 'utf8'),
    }));
}

/**
 * Applies the shipped migrations to `schema` (created if missing), each in its own transaction, and returns
 * the versions applied. Idempotent: running it again applies nothing. This is what
 * `npx databus-outbox migrate` runs; applications never create the tables at startup. @publicApi
 */
export async function migrateOutbox(client: MigrationClient, schema = 'public'): Promise<number[]> {
  const names = tableNames(schema, 'migrate: schema');
  const applied: number[] = [];
  await client.query(`CREATE SCHEMA IF NOT EXISTS "${names.schema}"`);
  for (const migration of outboxMigrations()) {
    if ((await currentVersion(client, schema)) >= migration.version) continue;
    await client.query('BEGIN');
    try {
      await client.query(`SET LOCAL search_path TO "${names.schema}"`);
      await client.query(migration.sql);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    }
    applied.push(migration.version);
  }
  return applied;
}

/** The schema version recorded in `schema`, 0 when the tables do not exist. */
export async function currentVersion(client: MigrationClient, schema = 'public'): Promise<number> {
  const names = tableNames(schema);
  const { rows } = await client.query('SELECT to_regclass($1) AS t', [names.version]);
  if (!rows[0]?.t) return 0;
  const result = await client.query(`SELECT max(version) AS v FROM ${names.version}`);
  return Number(result.rows[0]?.v ?? 0);
}

/**
 * Fails with a `ConfigurationError` naming the migration command when `schema` lacks the tables or has an
 * older version than this package needs; run at module init, so a missing migration fails the bootstrap.
 */
export async function assertOutboxSchema(client: MigrationClient, schema = 'public'): Promise<void> {
  const version = await currentVersion(client, schema);
  if (version >= SCHEMA_VERSION) return;
  throw new ConfigurationError(
    `OutboxModule: the tables of schema "${schema}"`,
    `schema version ${SCHEMA_VERSION}, created by \`${MIGRATE_COMMAND}${schema === 'public' ? '' : ` --schema ${schema}`}\` (the package never creates them at startup)`,
    { received: version === 0 ? 'no databus_outbox tables' : `version ${version}` },
  );
}
