import { ConfigurationError } from '@databus/common';

/**
 * Runs one parameterised statement (`$1`, `$2`, … placeholders) on the user's transaction. The seam for
 * ORMs: `OutboxService` writes rows only through this. @publicApi
 */
export interface SqlExecutor {
  execute(sql: string, params: readonly unknown[]): Promise<void>;
}

/**
 * Turns a transaction handle of some library into a {@link SqlExecutor}. Built in: node-postgres
 * (`PoolClient` / `Client` inside `BEGIN`), TypeORM (`EntityManager` of `dataSource.transaction(…)`) and
 * Prisma (the `tx` of `prisma.$transaction(async (tx) => …)`). Give your own for others (Knex: translate
 * `$n` to `?` and call `trx.raw`). @publicApi
 */
export interface TransactionAdapter {
  /** Short name for errors, e.g. `typeorm`. */
  readonly name: string;
  /** Whether `tx` is a handle of this library. */
  accepts(tx: unknown): boolean;
  executor(tx: unknown): SqlExecutor;
}

interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/** node-postgres: `client.query(text, values)`. The caller has run `BEGIN` on the client. */
export const pgTransactionAdapter: TransactionAdapter = {
  name: 'pg',
  accepts: (tx) => hasMethod(tx, 'query') && !hasMethod(tx, 'transaction'),
  executor: (tx) => ({
    execute: async (sql, params) => {
      await (tx as Queryable).query(sql, [...params]);
    },
  }),
};

interface EntityManagerLike extends Queryable {
  queryRunner?: { isTransactionActive?: boolean };
}

/**
 * TypeORM: the `EntityManager` handed to `dataSource.transaction(async (manager) => …)` (duck-typed on
 * `query()` and `queryRunner`, so `typeorm` is not a dependency). A manager outside a transaction is refused:
 * its rows would be committed on their own.
 */
export const typeormTransactionAdapter: TransactionAdapter = {
  name: 'typeorm',
  accepts: (tx) => hasMethod(tx, 'query') && hasMethod(tx, 'transaction'),
  executor: (tx) => {
    const manager = tx as EntityManagerLike;
    if (!manager.queryRunner?.isTransactionActive)
      throw new ConfigurationError(
        'outbox tx',
        'the EntityManager of a running transaction (dataSource.transaction(async (manager) => …))',
        { received: 'an EntityManager outside a transaction' },
      );
    return {
      execute: async (sql, params) => {
        await manager.query(sql, [...params]);
      },
    };
  },
};

/** Prisma: the interactive transaction client (`$executeRawUnsafe(sql, ...params)`). */
export const prismaTransactionAdapter: TransactionAdapter = {
  name: 'prisma',
  accepts: (tx) => hasMethod(tx, '$executeRawUnsafe'),
  executor: (tx) => ({
    execute: async (sql, params) => {
      await (tx as { $executeRawUnsafe(sql: string, ...p: unknown[]): Promise<unknown> }).$executeRawUnsafe(
        sql,
        ...params,
      );
    },
  }),
};

/** The adapters tried in order when the module has no `adapters` option. */
export const DEFAULT_TRANSACTION_ADAPTERS: readonly TransactionAdapter[] = [
  typeormTransactionAdapter,
  prismaTransactionAdapter,
  pgTransactionAdapter,
];

/** The executor of the first adapter that accepts `tx`; a `ConfigurationError` naming `where` otherwise. */
export function sqlExecutorFor(
  tx: unknown,
  adapters: readonly TransactionAdapter[],
  where: string,
): SqlExecutor {
  const adapter = adapters.find((a) => a.accepts(tx));
  if (!adapter)
    throw new ConfigurationError(
      `${where}: tx`,
      `a transaction handle of ${adapters.map((a) => a.name).join(', ')} (or an adapter for yours in OutboxModule adapters)`,
      { received: tx === null ? 'null' : typeof tx },
    );
  return adapter.executor(tx);
}

function hasMethod(value: unknown, name: string): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Record<string, unknown>)[name] === 'function'
  );
}
