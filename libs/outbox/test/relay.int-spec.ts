import { OutboxService } from '@databus/outbox';
import { deferred } from '@databus/testing';
import { resolveOutboxOptions, ResolvedRelayOptions } from '../src/options/resolve-outbox-options';
import { OutboxRow } from '../src/outbox/outbox-row';
import { decodeOutboxPayload } from '../src/outbox/payload';
import { OutboxRelay } from '../src/relay/outbox-relay';
import { OutboxPublisher } from '../src/relay/outbox-publisher';
import { tableNames } from '../src/sql/table-names';
import { inTransaction, outboxCount, testSchema } from './helpers/postgres';

/** Records what it publishes; `fail` makes a destination's publish reject. */
class RecordingPublisher implements OutboxPublisher {
  readonly published: { destination: string; key: string | null; value: unknown }[] = [];
  readonly fail = new Set<string>();
  constructor(private readonly delayMs = 0) {}
  async publish(_kind: OutboxRow['kind'], destination: string, rows: readonly OutboxRow[]): Promise<void> {
    if (this.delayMs) await new Promise((r) => setTimeout(r, Math.random() * this.delayMs));
    if (this.fail.has(destination)) throw new Error(`broker refused ${destination}`);
    for (const row of rows)
      this.published.push({
        destination,
        key: row.key,
        value: decodeOutboxPayload(row.encoding, row.payload),
      });
  }
}

describe('OutboxRelay on PostgreSQL', () => {
  let db: Awaited<ReturnType<typeof testSchema>>;
  let outbox: OutboxService;
  let relayOptions: ResolvedRelayOptions;
  beforeAll(async () => {
    db = await testSchema();
    const resolved = resolveOutboxOptions({ pool: db.pool, schema: db.schema, relay: { batchSize: 7 } });
    outbox = new OutboxService(resolved);
    relayOptions = resolved.relay as ResolvedRelayOptions;
  });
  afterEach(async () => db.pool.query(`DELETE FROM "${db.schema}".databus_outbox`));
  afterAll(async () => db.drop());

  const relay = (publisher: OutboxPublisher) =>
    new OutboxRelay(db.pool, tableNames(db.schema), relayOptions, publisher);

  it('publishes rows of one key in commit order when a later-numbered transaction would commit first', async () => {
    const firstWritten = deferred();
    const releaseFirst = deferred();
    const first = inTransaction(db.pool, async (tx) => {
      await outbox.produce(tx, 'orders', 'first', { key: 'k' });
      firstWritten.resolve();
      await releaseFirst.promise;
    });
    await firstWritten.promise;
    // The second writer of key k waits for the first one's commit (advisory lock) before its row is numbered.
    const second = inTransaction(db.pool, (tx) => outbox.produce(tx, 'orders', 'second', { key: 'k' }));
    const third = inTransaction(db.pool, (tx) => outbox.produce(tx, 'orders', 'other key', { key: 'j' }));
    await third;
    releaseFirst.resolve();
    await Promise.all([first, second]);
    const publisher = new RecordingPublisher();
    while ((await relay(publisher).runOnce()).published > 0);
    expect(publisher.published.filter((p) => p.key === 'k').map((p) => p.value)).toEqual(['first', 'second']);
    expect(publisher.published).toHaveLength(3);
  });

  it('shares the table between relays: every row published once, each key in order', async () => {
    const keys = ['a', 'b', 'c', 'd', 'e'];
    await inTransaction(db.pool, async (tx) => {
      for (let i = 0; i < 100; i++) await outbox.produce(tx, 'shared', { i }, { key: keys[i % keys.length] });
    });
    const publisher = new RecordingPublisher(5);
    const relays = [relay(publisher), relay(publisher), relay(publisher)];
    await Promise.all(
      relays.map(async (r) => {
        for (let rounds = 0; rounds < 200 && (await outboxCount(db.pool, db.schema)) > 0; rounds++)
          await r.runOnce();
      }),
    );
    const values = publisher.published.map((p) => (p.value as { i: number }).i);
    expect([...values].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    for (const key of keys) {
      const ofKey = publisher.published.filter((p) => p.key === key).map((p) => (p.value as { i: number }).i);
      expect(ofKey).toEqual([...ofKey].sort((x, y) => x - y));
    }
  });

  it('keeps the rows of a destination whose publish failed transiently, without counting an attempt, and publishes them later', async () => {
    await inTransaction(db.pool, async (tx) => {
      await outbox.produce(tx, 'down', 'kept');
      await outbox.produce(tx, 'up', 'sent');
    });
    const publisher = new RecordingPublisher();
    publisher.fail.add('down');
    await expect(relay(publisher).runOnce()).rejects.toThrow('broker refused down');
    expect(publisher.published.map((p) => p.value)).toEqual(['sent']);
    const { rows } = await db.pool.query(
      `SELECT destination, attempts, last_error FROM "${db.schema}".databus_outbox`,
    );
    expect(rows).toEqual([{ destination: 'down', attempts: 0, last_error: 'broker refused down' }]);
    publisher.fail.clear();
    await relay(publisher).runOnce();
    expect(publisher.published.map((p) => p.value)).toEqual(['sent', 'kept']);
    expect(await outboxCount(db.pool, db.schema)).toBe(0);
  });

  it('writes through a TypeORM EntityManager of a transaction and refuses one outside a transaction', async () => {
    const client = await db.pool.connect();
    try {
      const manager = (active: boolean) => ({
        queryRunner: { isTransactionActive: active },
        query: (sql: string, params: unknown[]) => client.query(sql, params).then((r) => r.rows),
        transaction: () => undefined,
      });
      await client.query('BEGIN');
      await outbox.produce(manager(true), 'typeorm', { via: 'EntityManager' }, { key: 'x' });
      await client.query('COMMIT');
      await expect(outbox.produce(manager(false), 'typeorm', {})).rejects.toThrow(
        'expected the EntityManager of a running transaction',
      );
    } finally {
      client.release();
    }
    const publisher = new RecordingPublisher();
    await relay(publisher).runOnce();
    expect(publisher.published).toEqual([
      { destination: 'typeorm', key: 'x', value: { via: 'EntityManager' } },
    ]);
  });

  it('wakes on the commit notification, long before the poll interval', async () => {
    const publisher = new RecordingPublisher();
    const slowPoll = { ...relayOptions, pollIntervalMs: 600_000 };
    const r = new OutboxRelay(db.pool, tableNames(db.schema), slowPoll, publisher);
    r.start();
    try {
      // Let the listener connect, then commit.
      await new Promise((res) => setTimeout(res, 300));
      await inTransaction(db.pool, (tx) => outbox.produce(tx, 'notified', 'now'));
      for (let i = 0; i < 500 && publisher.published.length === 0; i++)
        await new Promise((res) => setTimeout(res, 20));
      expect(publisher.published.map((p) => p.value)).toEqual(['now']);
    } finally {
      await r.stop();
    }
  });
});
