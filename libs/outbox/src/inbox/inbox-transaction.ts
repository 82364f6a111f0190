import { AsyncLocalStorage } from 'node:async_hooks';
import { createParamDecorator } from '@nestjs/common';
import type { PoolClient } from 'pg';

const current = new AsyncLocalStorage<PoolClient>();

/** Runs `work` with `tx` as the inbox transaction of the handler it calls. */
export function withInboxTransaction<T>(tx: PoolClient, work: () => Promise<T>): Promise<T> {
  return current.run(tx, work);
}

/**
 * The transaction an `idempotent: true` handler runs in (PostgreSQL inbox store): do the handler's writes on
 * it, and they commit together with the message id, or not at all. `undefined` outside such a handler (and
 * with the Redis store, which has no transaction).
 * @publicApi
 */
export function currentInboxTransaction(): PoolClient | undefined {
  return current.getStore();
}

/**
 * Parameter decorator giving an `idempotent: true` handler its transaction (a node-postgres `PoolClient`
 * inside `BEGIN`): `async onPayment(@Payload() p: Payment, @InboxTransaction() tx: PoolClient)`.
 * @publicApi
 */
export const InboxTransaction: () => ParameterDecorator = createParamDecorator(() =>
  currentInboxTransaction(),
);
