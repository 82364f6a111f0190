/** @jest-environment ./apps/demo/test/support/jose-environment.js */
jest.mock('jose', () => (globalThis as { __databusJose?: unknown }).__databusJose);

import { randomUUID } from 'node:crypto';
import { migrateOutbox, OutboxService } from '@databus/outbox';
import { ChannelService } from '@databus/streaming';
import { uniqueName } from '@databus/testing';
import { Pool } from 'pg';
import { DEMO_DATABASE, DemoDatabase } from '../src/database/demo-database';
import { bootDemo, DemoUnderTest, EMBEDDED_DATABASE, POSTGRES_URL } from './support/demo-harness';

/**
 * POSTs a reading and follows it: the outbox row is written (with the demo's own row, one transaction),
 * the relay publishes it through ChannelService, the handler stores it, and the row is gone.
 */
async function followReading(demo: DemoUnderTest): Promise<void> {
  const database = demo.app.get<DemoDatabase>(DEMO_DATABASE);
  const steps: string[] = [];
  const outbox = demo.app.get(OutboxService);
  const channel = demo.app.get(ChannelService);
  const produce = outbox.produce.bind(outbox);
  const produceMany = channel.produceMany.bind(channel);
  const written = jest.spyOn(outbox, 'produce').mockImplementation(async (...args) => {
    const id = await produce(...args);
    steps.push(`outbox row ${id}`);
    return id;
  });
  const published = jest
    .spyOn(channel, 'produceMany')
    .mockImplementation(async (...args: Parameters<ChannelService['produceMany']>) => {
      const [dataset, records] = args;
      for (const record of records as readonly { headers?: Record<string, string> }[])
        steps.push(`published to ${dataset}: ${record.headers?.['x-databus-message-id']}`);
      return produceMany(...args);
    });
  try {
    const sensor = uniqueName('outbox');
    const response = await fetch(`${demo.url}/api/sensors/${sensor}/readings`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ value: 42.5 }),
    });
    expect(response.status).toBe(202);
    const body = (await response.json()) as { dataset: string; sequence: number; messageId: string };
    // The handler received the message id of the outbox row, written with the demo's own row.
    expect(steps).toEqual([
      `outbox row ${body.messageId}`,
      `published to sensor-readings: ${body.messageId}`,
    ]);
    const own = await database.pool.query(
      `SELECT sensor, value FROM ${database.readingsTable} WHERE message_id = $1`,
      [body.messageId],
    );
    expect(own.rows).toEqual([{ sensor, value: 42.5 }]);
    const list = (await (await fetch(`${demo.url}/api/sensors`)).json()) as {
      sensor: string;
      count: number;
    }[];
    expect(list.find((s) => s.sensor === sensor)?.count).toBe(1);
    // Deleted once the transport acknowledged it (the relay's round commits right after the publish).
    const schema = demo.config.databaseSchema;
    let left = 1;
    for (let i = 0; i < 200 && left > 0; i++) {
      const { rows } = await database.pool.query(
        `SELECT count(*)::int AS n FROM "${schema}".databus_outbox WHERE message_id = $1`,
        [body.messageId],
      );
      left = rows[0].n as number;
      if (left > 0) await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(left).toBe(0);
  } finally {
    written.mockRestore();
    published.mockRestore();
  }
}

describe('readings through the transactional outbox', () => {
  describe('on the embedded PostgreSQL (default, no DATABASE_URL)', () => {
    let demo: DemoUnderTest;
    // PGlite's first start runs initdb (a few seconds; much longer on a loaded machine).
    beforeAll(async () => {
      demo = await bootDemo(EMBEDDED_DATABASE);
    }, 240_000);
    afterAll(async () => demo?.stop());

    it('uses the embedded store and records a posted reading: outbox row, relay publish, handler, row deleted', async () => {
      expect(demo.app.get<DemoDatabase>(DEMO_DATABASE).kind).toBe('embedded');
      await followReading(demo);
    });
  });

  describe("on PostgreSQL at DATABASE_URL (schema migrated with the package's migration first)", () => {
    const schema = `demo_${randomUUID().slice(0, 8)}`;
    const admin = new Pool({ connectionString: POSTGRES_URL, max: 2 });
    let demo: DemoUnderTest | undefined;
    afterAll(async () => {
      await demo?.stop();
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    });

    it('records a posted reading through the outbox on the migrated schema', async () => {
      await migrateOutbox(admin, schema);
      demo = await bootDemo({ DATABASE_URL: POSTGRES_URL, DATABASE_SCHEMA: schema });
      expect(demo.app.get<DemoDatabase>(DEMO_DATABASE).kind).toBe('postgres');
      await followReading(demo);
    });
  });
});
