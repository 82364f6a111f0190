import { Controller, Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { PoolClient } from 'pg';
import { ConfigurationError } from '@databus/common';
import { InboxTransaction, OutboxModule } from '@databus/outbox';
import { ChannelService, OnDatasetMessage, Offset, Payload, StreamingModule } from '@databus/streaming';
import { TaskHandler, TaskQueue, TaskQueueModule } from '@databus/queue';
import { uniqueName, waitFor } from '@databus/testing';
import { testSchema } from './helpers/postgres';

describe('idempotent handlers with the PostgreSQL inbox', () => {
  let db: Awaited<ReturnType<typeof testSchema>>;
  beforeAll(async () => {
    db = await testSchema();
    await db.pool.query(`CREATE TABLE "${db.schema}".payments (id text, amount int)`);
  });
  afterAll(async () => db.drop());

  const runs: string[] = [];
  let failNext = 0;

  @Controller()
  class Payments {
    @OnDatasetMessage('payments', {
      idempotent: true,
      offset: Offset.BEGIN,
      retry: { attempts: 3, backoff: { initialMs: 10 } },
    })
    async onPayment(
      @Payload() p: { id: string; amount: number },
      @InboxTransaction() tx: PoolClient,
    ): Promise<void> {
      runs.push(`dataset:${p.id}`);
      await tx.query(`INSERT INTO "${db.schema}".payments (id, amount) VALUES ($1, $2)`, [p.id, p.amount]);
      if (failNext > 0) {
        failNext -= 1;
        throw new Error('handler failed after its write');
      }
    }
  }

  @Injectable()
  class Refunds {
    @TaskHandler('refunds', { idempotent: true })
    async refund(p: { id: string }): Promise<void> {
      runs.push(`task:${p.id}`);
    }
  }

  async function app() {
    const ref = await Test.createTestingModule({
      imports: [
        StreamingModule.forRoot({ url: `memory://${uniqueName('inbox')}`, logger: false }),
        TaskQueueModule.forRoot({ url: 'memory://', logger: false }),
        OutboxModule.forRoot({ pool: db.pool, schema: db.schema, relay: false, logger: false }),
      ],
      controllers: [Payments],
      providers: [Refunds],
    }).compile();
    const nest = ref.createNestApplication({ logger: false });
    await nest.init();
    return nest;
  }

  const payments = async (id: string) =>
    (await db.pool.query(`SELECT amount FROM "${db.schema}".payments WHERE id = $1`, [id])).rows;

  it('runs a dataset handler once for a message id delivered twice, with its write in the inbox transaction', async () => {
    const nest = await app();
    try {
      const channel = nest.get(ChannelService);
      await channel.produce('payments', { id: 'p1', amount: 5 }, { messageId: 'm-p1' });
      await channel.produce('payments', { id: 'p1', amount: 5 }, { messageId: 'm-p1' });
      await channel.produce('payments', { id: 'p2', amount: 7 }, { messageId: 'm-p2' });
      await waitFor(() => runs.includes('dataset:p2'), { message: 'the third message handled' });
      expect(runs.filter((r) => r === 'dataset:p1')).toEqual(['dataset:p1']);
      expect(await payments('p1')).toEqual([{ amount: 5 }]);
      const { rows } = await db.pool.query(
        `SELECT consumer, message_id FROM "${db.schema}".databus_inbox ORDER BY message_id`,
      );
      expect(rows).toEqual([
        { consumer: 'Payments.onPayment', message_id: 'm-p1' },
        { consumer: 'Payments.onPayment', message_id: 'm-p2' },
      ]);
    } finally {
      await nest.close();
    }
  });

  it('rolls back the handler write and the id together when the handler throws, then retries', async () => {
    const nest = await app();
    try {
      failNext = 1;
      await nest.get(ChannelService).produce('payments', { id: 'p3', amount: 9 }, { messageId: 'm-p3' });
      await waitFor(() => runs.filter((r) => r === 'dataset:p3').length === 2, { message: 'the retry' });
      await waitFor(async () => (await payments('p3')).length > 0, { message: 'the committed write' });
      expect(await payments('p3')).toEqual([{ amount: 9 }]);
    } finally {
      await nest.close();
    }
  });

  it('runs a task handler once for a message id enqueued twice', async () => {
    const nest = await app();
    try {
      const queue = nest.get(TaskQueue);
      await queue.enqueue('refunds', { id: 'r1' }, { messageId: 'm-r1' });
      await queue.enqueue('refunds', { id: 'r1' }, { messageId: 'm-r1' });
      await queue.enqueue('refunds', { id: 'r2' }, { messageId: 'm-r2' });
      await waitFor(() => runs.includes('task:r2'), { message: 'the third task handled' });
      expect(runs.filter((r) => r === 'task:r1')).toEqual(['task:r1']);
    } finally {
      await nest.close();
    }
  });

  it('fails the bootstrap naming the idempotent option when no module provides an idempotency store', async () => {
    const ref = await Test.createTestingModule({
      imports: [StreamingModule.forRoot({ url: `memory://${uniqueName('no-store')}`, logger: false })],
      controllers: [Payments],
    }).compile();
    const nest = ref.createNestApplication({ logger: false });
    const init = nest.init();
    await expect(init).rejects.toBeInstanceOf(ConfigurationError);
    await expect(init).rejects.toThrow(`@OnDatasetMessage('payments') on Payments.onPayment.idempotent`);
    await nest.close().catch(() => undefined);
  });
});
