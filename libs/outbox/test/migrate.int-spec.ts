import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { main } from '../src/cli/databus-outbox';
import { POSTGRES_URL } from './helpers/postgres';

describe('npx databus-outbox migrate', () => {
  const schema = `outbox_cli_${randomUUID().slice(0, 8)}`;
  const pool = new Pool({ connectionString: POSTGRES_URL });
  afterAll(async () => {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.end();
  });

  it('creates the outbox and inbox tables, then finds the schema up to date', async () => {
    const lines: string[] = [];
    const print = (line: string) => lines.push(line);
    expect(await main(['migrate', '--url', POSTGRES_URL, '--schema', schema], {}, print)).toBe(0);
    expect(await main(['migrate', `--schema=${schema}`], { DATABASE_URL: POSTGRES_URL }, print)).toBe(0);
    expect(lines).toEqual([
      `databus-outbox: schema "${schema}" migrated to version 2 (applied 1, 2)`,
      `databus-outbox: schema "${schema}" is up to date`,
    ]);
    const { rows } = await pool.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`,
      [schema],
    );
    expect(rows.map((r) => r.table_name)).toEqual([
      'databus_inbox',
      'databus_outbox',
      'databus_outbox_dead',
      'databus_outbox_schema',
    ]);
  });

  it('fails with exit code 1 and the database error for an unreachable server, without the password', async () => {
    const lines: string[] = [];
    const code = await main(['migrate', '--url', 'postgres://u:s3cret@127.0.0.1:1/test'], {}, (l) =>
      lines.push(l),
    );
    expect(code).toBe(1);
    expect(lines[0]).toContain('databus-outbox: migrate failed: connect ECONNREFUSED');
    expect(lines[0]).not.toContain('s3cret');
  });
});
