import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PermanentError } from '@databus/common';
import { assertOutboxSchema, migrateOutbox, OUTBOX_MIGRATIONS_DIR, OutboxService } from '@databus/outbox';
import type { LoggerService } from '@nestjs/common';
import { resolveOutboxOptions, ResolvedRelayOptions } from '../src/options/resolve-outbox-options';
import { OutboxRow } from '../src/outbox/outbox-row';
import { decodeOutboxPayload } from '../src/outbox/payload';
import { OutboxPublisher } from '../src/relay/outbox-publisher';
import { OutboxRelay } from '../src/relay/outbox-relay';
import { tableNames } from '../src/sql/table-names';
import { inTransaction, outboxCount, testSchema } from './helpers/postgres';

/** Refuses every row whose payload is in `refused` (permanently, or transiently with `transient`). */
class RefusingPublisher implements OutboxPublisher {
  readonly published: { key: string | null; value: unknown }[] = [];
  readonly refused = new Set<unknown>();
  transient = false;
  async publish(_kind: OutboxRow['kind'], destination: string, rows: readonly OutboxRow[]): Promise<void> {
    const values = rows.map((row) => decodeOutboxPayload(row.encoding, row.payload));
    const bad = values.find((v) => this.refused.has(v));
    if (bad !== undefined) {
      if (this.transient) throw new Error(`connection to the broker lost (${destination})`);
      throw new PermanentError(`record too large: ${String(bad)} on ${destination}`);
    }
    rows.forEach((row, i) => this.published.push({ key: row.key, value: values[i] }));
  }
}

class RecordingLogger implements LoggerService {
  readonly errors: string[] = [];
  log(): void {}
  warn(): void {}
  error(message: string): void {
    this.errors.push(message);
  }
}

describe('OutboxRelay dead letters on PostgreSQL', () => {
  let db: Awaited<ReturnType<typeof testSchema>>;
  let outbox: OutboxService;
  let relayOptions: ResolvedRelayOptions;
  beforeAll(async () => {
    db = await testSchema();
    const resolved = resolveOutboxOptions({ pool: db.pool, schema: db.schema, relay: { maxAttempts: 3 } });
    outbox = new OutboxService(resolved);
    relayOptions = resolved.relay as ResolvedRelayOptions;
  });
  afterEach(async () => {
    await db.pool.query(`DELETE FROM "${db.schema}".databus_outbox`);
    await db.pool.query(`DELETE FROM "${db.schema}".databus_outbox_dead`);
  });
  afterAll(async () => db.drop());

  const relay = (publisher: OutboxPublisher, logger?: LoggerService) =>
    new OutboxRelay(db.pool, tableNames(db.schema), relayOptions, publisher, logger);

  it('moves a row refused maxAttempts times to databus_outbox_dead with one ERROR; later rows of its key wait, then go on', async () => {
    let poisonId = '';
    await inTransaction(db.pool, async (tx) => {
      await outbox.produce(tx, 'orders', 'k1', { key: 'k' });
      poisonId = await outbox.produce(tx, 'orders', 'poison', { key: 'k' });
      await outbox.produce(tx, 'orders', 'k3', { key: 'k' });
      await outbox.produce(tx, 'orders', 'j1', { key: 'j' });
      await outbox.produce(tx, 'orders', 'no key');
    });
    const publisher = new RefusingPublisher();
    publisher.refused.add('poison');
    const logger = new RecordingLogger();
    const r = relay(publisher, logger);

    // Refusals 1 and 2: the row stays with its count; k3 waits behind it; other keys are published.
    await expect(r.runOnce()).rejects.toThrow('record too large: poison on orders');
    await expect(r.runOnce()).rejects.toThrow('record too large: poison on orders');
    expect(publisher.published.map((p) => p.value)).toEqual(['k1', 'j1', 'no key']);
    const waiting = await db.pool.query(
      `SELECT message_id, attempts, last_error FROM "${db.schema}".databus_outbox ORDER BY id`,
    );
    expect(waiting.rows).toEqual([
      { message_id: poisonId, attempts: 2, last_error: 'record too large: poison on orders' },
      expect.objectContaining({ attempts: 0, last_error: null }),
    ]);
    expect(logger.errors).toEqual([]);

    // Refusal 3 = maxAttempts: moved, one ERROR, the round succeeds; k3 goes out in the next round.
    expect(await r.runOnce()).toMatchObject({ published: 0, failed: 0, deadLettered: 1, deferred: 1 });
    expect(await r.runOnce()).toMatchObject({ published: 1, deadLettered: 0 });
    expect(publisher.published.filter((p) => p.key === 'k').map((p) => p.value)).toEqual(['k1', 'k3']);
    expect(await outboxCount(db.pool, db.schema)).toBe(0);
    const dead = await db.pool.query(
      `SELECT message_id, destination, message_key, attempts, last_error, encoding, payload
         FROM "${db.schema}".databus_outbox_dead`,
    );
    expect(dead.rows).toEqual([
      {
        message_id: poisonId,
        destination: 'orders',
        message_key: 'k',
        attempts: 3,
        last_error: 'record too large: poison on orders',
        encoding: 'text',
        payload: Buffer.from('poison'),
      },
    ]);
    expect(logger.errors).toHaveLength(1);
    expect(logger.errors[0]).toContain(`message id ${poisonId}`);
    expect(logger.errors[0]).toContain('moved to databus_outbox_dead');
  });

  it('never dead-letters on transient failures (broker down): the rows stay, uncounted, and go out later', async () => {
    await inTransaction(db.pool, (tx) => outbox.produce(tx, 'orders', 'delayed', { key: 'k' }));
    const publisher = new RefusingPublisher();
    publisher.refused.add('delayed');
    publisher.transient = true;
    const logger = new RecordingLogger();
    const r = relay(publisher, logger);
    for (let i = 0; i < relayOptions.maxAttempts + 2; i++)
      await expect(r.runOnce()).rejects.toThrow('connection to the broker lost (orders)');
    const { rows } = await db.pool.query(`SELECT attempts, last_error FROM "${db.schema}".databus_outbox`);
    expect(rows).toEqual([{ attempts: 0, last_error: 'connection to the broker lost (orders)' }]);
    publisher.refused.clear();
    expect(await r.runOnce()).toMatchObject({ published: 1, deadLettered: 0 });
    expect(logger.errors).toEqual([]);
  });
});

describe('migration 2 (databus_outbox_dead) on a version 1 schema', () => {
  it('upgrades it in place, keeping its rows; the module refuses the old version until then', async () => {
    const db = await testSchema(false);
    try {
      const v1 = readFileSync(join(OUTBOX_MIGRATIONS_DIR, '001_databus_outbox.sql'), 'utf8');
      const client = await db.pool.connect();
      try {
        await client.query(`SET search_path TO "${db.schema}"`);
        await client.query(v1);
      } finally {
        await client.query('RESET search_path');
        client.release();
      }
      const outbox = new OutboxService(resolveOutboxOptions({ pool: db.pool, schema: db.schema }));
      await inTransaction(db.pool, (tx) => outbox.produce(tx, 'orders', 'written on v1'));
      await expect(assertOutboxSchema(db.pool, db.schema)).rejects.toThrow(
        'expected schema version 2, created by `npx databus-outbox migrate',
      );
      expect(await migrateOutbox(db.pool, db.schema)).toEqual([2]);
      await assertOutboxSchema(db.pool, db.schema);
      expect(await outboxCount(db.pool, db.schema)).toBe(1);
      const dead = await db.pool.query(`SELECT count(*)::int AS n FROM "${db.schema}".databus_outbox_dead`);
      expect(dead.rows).toEqual([{ n: 0 }]);
      expect(await migrateOutbox(db.pool, db.schema)).toEqual([]);
    } finally {
      await db.drop();
    }
  });
});
