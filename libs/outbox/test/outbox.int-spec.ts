import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ConfigurationError } from '@databus/common';
import { MESSAGE_ID_HEADER, OutboxModule, OutboxService } from '@databus/outbox';
import { ChannelService, DatasetMessage, Offset, StreamingModule } from '@databus/streaming';
import { TaskHandler, TaskMessage, TaskQueueModule } from '@databus/queue';
import { uniqueName, waitFor } from '@databus/testing';
import { inTransaction, outboxCount, testSchema } from './helpers/postgres';

describe('OutboxModule on PostgreSQL', () => {
  let db: Awaited<ReturnType<typeof testSchema>>;
  beforeAll(async () => {
    db = await testSchema();
  });
  afterAll(async () => db.drop());

  const received: { payload: unknown; message: TaskMessage }[] = [];
  @Injectable()
  class Worker {
    @TaskHandler('outbox-tasks')
    handle(payload: unknown, message: TaskMessage): void {
      received.push({ payload, message });
    }
  }

  async function app(relay: { pollIntervalMs?: number; listen?: boolean } = {}) {
    const ref = await Test.createTestingModule({
      imports: [
        StreamingModule.forRoot({ url: `memory://${uniqueName('outbox')}`, logger: false }),
        TaskQueueModule.forRoot({ url: 'memory://', logger: false }),
        OutboxModule.forRoot({ pool: db.pool, schema: db.schema, relay, logger: false }),
      ],
      providers: [Worker],
    }).compile();
    const nest = ref.createNestApplication({ logger: false });
    await nest.init();
    return nest;
  }

  it('publishes a dataset message written in a committed transaction, with its key, headers and message id', async () => {
    const nest = await app();
    try {
      const channel = nest.get(ChannelService);
      const sub = await channel.subscribe('readings', { offset: Offset.BEGIN });
      const outbox = nest.get(OutboxService);
      const id = await inTransaction(db.pool, (tx) =>
        outbox.produce(tx, 'readings', { sensor: 'a', value: 1 }, { key: 'a', headers: { 'x-trace': 't1' } }),
      );
      const messages: DatasetMessage[] = [];
      for await (const message of sub) {
        messages.push(message);
        break;
      }
      await sub.close();
      expect(messages[0].json()).toEqual({ sensor: 'a', value: 1 });
      expect(messages[0].key).toBe('a');
      expect(messages[0].headers['x-trace']).toBe('t1');
      expect(messages[0].headers[MESSAGE_ID_HEADER]).toBe(id);
      await waitFor(async () => (await outboxCount(db.pool, db.schema)) === 0, {
        message: 'the row deleted',
      });
    } finally {
      await nest.close();
    }
  });

  it('publishes nothing for a rolled-back transaction', async () => {
    const nest = await app();
    try {
      const outbox = nest.get(OutboxService);
      await expect(
        inTransaction(db.pool, async (tx) => {
          await outbox.produce(tx, 'rolled-back', { n: 1 });
          throw new Error('the business write failed');
        }),
      ).rejects.toThrow('the business write failed');
      expect(await outboxCount(db.pool, db.schema)).toBe(0);
    } finally {
      await nest.close();
    }
  });

  it('enqueues a task through TaskQueue with the outbox message id', async () => {
    const nest = await app();
    try {
      const outbox = nest.get(OutboxService);
      const id = await inTransaction(db.pool, (tx) => outbox.enqueue(tx, 'outbox-tasks', { job: 7 }));
      const got = await waitFor(() => received.find((r) => r.message.messageId === id), {
        message: 'the task handled',
      });
      expect(got.payload).toEqual({ job: 7 });
    } finally {
      await nest.close();
    }
  });

  it('publishes rows committed while no relay ran once one starts (polling, no LISTEN)', async () => {
    const writer = await Test.createTestingModule({
      imports: [OutboxModule.forRoot({ pool: db.pool, schema: db.schema, relay: false, logger: false })],
    }).compile();
    await writer.init();
    await inTransaction(db.pool, (tx) => writer.get(OutboxService).produce(tx, 'late', 'while down'));
    await writer.close();
    expect(await outboxCount(db.pool, db.schema)).toBe(1);
    const nest = await app({ listen: false, pollIntervalMs: 50 });
    try {
      const sub = await nest.get(ChannelService).subscribe('late', { offset: Offset.BEGIN });
      for await (const message of sub) {
        expect(message.text()).toBe('while down');
        break;
      }
      await sub.close();
    } finally {
      await nest.close();
    }
  });

  it('fails the bootstrap with a ConfigurationError naming the migration command when the tables are missing', async () => {
    const bare = await testSchema(false);
    try {
      @Module({ imports: [OutboxModule.forRoot({ pool: bare.pool, schema: bare.schema, logger: false })] })
      class AppModule {}
      const ref = await Test.createTestingModule({ imports: [AppModule] }).compile();
      const init = ref.init();
      await expect(init).rejects.toBeInstanceOf(ConfigurationError);
      await expect(init).rejects.toThrow(
        `npx databus-outbox migrate --url <postgres-url> --schema ${bare.schema}`,
      );
      const { rows } = await bare.pool.query('SELECT to_regclass($1) AS t', [
        `"${bare.schema}".databus_outbox`,
      ]);
      expect(rows[0].t).toBeNull();
    } finally {
      await bare.drop();
    }
  });
});
