import { uniqueName, waitFor } from '@databus/testing';
import { PrivateNatsServer, startPrivateNatsServer } from '../../streaming/test/integration/nats-test-kit';
import { ChildApp, buildForChildApps } from './helpers/child-app';
import { outboxCount, POSTGRES_URL, testSchema } from './helpers/postgres';

/**
 * Exactly-once effects across a SIGKILL, on the real PostgreSQL and NATS JetStream: the child app
 * (test/crash/crash-app.js) writes an order and its outbox message in one transaction, relays it, and
 * applies it with an idempotent handler (PostgreSQL inbox) to the `effects` table. Each test kills it at
 * one point, starts it again, and counts the effects. The NATS server is this test's own (JetStream on a free
 * port, its store in a temp dir), so the kills never touch the shared loopback brokers.
 */
describe('crash: outbox and inbox across a SIGKILL [nats]', () => {
  jest.setTimeout(60_000);
  let db: Awaited<ReturnType<typeof testSchema>>;
  let nats: PrivateNatsServer;
  const apps: ChildApp[] = [];
  beforeAll(async () => {
    buildForChildApps();
    nats = await startPrivateNatsServer([]);
    db = await testSchema();
    await db.pool.query(`CREATE TABLE "${db.schema}".orders (id text PRIMARY KEY)`);
    await db.pool.query(`CREATE TABLE "${db.schema}".effects (order_id text)`);
  }, 300_000); // the build is incremental: quick when `npm run build` ran before
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.stop()));
  });
  afterAll(async () => {
    await db?.drop();
    await nats?.dispose();
  });

  const start = (env: Record<string, string>, dataset: string): ChildApp => {
    const app = new ChildApp({
      CRASH_URL: POSTGRES_URL,
      CRASH_SCHEMA: db.schema,
      CRASH_NATS: nats.url(),
      CRASH_DATASET: dataset,
      CRASH_GROUP: `${dataset}-store`,
      ...env,
    });
    apps.push(app);
    return app;
  };
  const effects = async (order: string): Promise<number> =>
    (
      await db.pool.query(`SELECT count(*)::int AS n FROM "${db.schema}".effects WHERE order_id = $1`, [
        order,
      ])
    ).rows[0].n;

  it('outbox: killed between the commit and the publish, the restarted relay publishes it once', async () => {
    const dataset = uniqueName('crash-orders');
    const first = start({ CRASH_WRITE: 'o1', CRASH_HANG: 'before-publish' }, dataset);
    await first.printed('committed');
    await first.printed('publishing');
    await first.kill();
    expect(await outboxCount(db.pool, db.schema)).toBe(1);

    const second = start({ CRASH_CONSUME: '1' }, dataset);
    await waitFor(() => second.lines.some((l) => l.startsWith('handled')), {
      message: 'the order applied',
      timeoutMs: 30_000,
    });
    await waitFor(async () => (await outboxCount(db.pool, db.schema)) === 0, {
      message: 'the row deleted',
      timeoutMs: 30_000,
    });
    expect(await effects('o1')).toBe(1);
    expect(second.lines.filter((l) => l.startsWith('duplicate'))).toEqual([]);
  });

  it('outbox: killed after the broker ack and before the delete, the second publish is absorbed by the inbox', async () => {
    const dataset = uniqueName('crash-orders');
    const first = start({ CRASH_WRITE: 'o2', CRASH_HANG: 'after-ack' }, dataset);
    await first.printed('acked');
    await first.kill();
    expect(await outboxCount(db.pool, db.schema)).toBe(1);

    const second = start({ CRASH_CONSUME: '1' }, dataset);
    await waitFor(() => second.lines.some((l) => l.startsWith('duplicate')), {
      message: 'the republished copy seen as a duplicate',
      timeoutMs: 30_000,
    });
    expect(second.lines.filter((l) => l.startsWith('handled'))).toHaveLength(1);
    expect(await effects('o2')).toBe(1);
    await waitFor(async () => (await outboxCount(db.pool, db.schema)) === 0, {
      message: 'the row deleted',
      timeoutMs: 30_000,
    });
  });

  it('inbox: killed between the handler commit and the broker ack, the redelivery is acked without a second effect', async () => {
    const dataset = uniqueName('crash-orders');
    const first = start({ CRASH_WRITE: 'o3', CRASH_CONSUME: '1', CRASH_HANG: 'after-commit' }, dataset);
    await waitFor(() => first.lines.some((l) => l.startsWith('handled')), {
      message: 'the handler committed',
      timeoutMs: 30_000,
    });
    await first.kill();
    expect(await effects('o3')).toBe(1);

    const second = start({ CRASH_CONSUME: '1' }, dataset);
    await waitFor(() => second.lines.some((l) => l.startsWith('duplicate')), {
      message: 'the redelivery seen as a duplicate',
      timeoutMs: 30_000,
    });
    expect(second.lines.filter((l) => l.startsWith('handled'))).toEqual([]);
    expect(await effects('o3')).toBe(1);
  });
});
