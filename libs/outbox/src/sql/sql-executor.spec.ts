import { ConfigurationError } from '@databus/common';
import { DEFAULT_TRANSACTION_ADAPTERS, sqlExecutorFor } from './sql-executor';

describe('sqlExecutorFor', () => {
  it('runs statements on a node-postgres client with its parameters', async () => {
    const calls: unknown[][] = [];
    const client = { query: async (sql: string, params: unknown[]) => calls.push([sql, params]) };
    await sqlExecutorFor(client, DEFAULT_TRANSACTION_ADAPTERS, 'outbox.produce').execute('SELECT $1', [1]);
    expect(calls).toEqual([['SELECT $1', [1]]]);
  });

  it('runs statements on a Prisma transaction client', async () => {
    const calls: unknown[][] = [];
    const tx = {
      $executeRawUnsafe: async (sql: string, ...params: unknown[]) => calls.push([sql, ...params]),
    };
    await sqlExecutorFor(tx, DEFAULT_TRANSACTION_ADAPTERS, 'outbox.produce').execute('SELECT $1, $2', [
      1,
      'a',
    ]);
    expect(calls).toEqual([['SELECT $1, $2', 1, 'a']]);
  });

  it('names the call and the known adapters for a handle no adapter accepts', () => {
    const attempt = () => sqlExecutorFor({}, DEFAULT_TRANSACTION_ADAPTERS, 'outbox.enqueue');
    expect(attempt).toThrow(ConfigurationError);
    expect(attempt).toThrow('outbox.enqueue: tx');
    expect(attempt).toThrow('typeorm, prisma, pg');
  });
});
