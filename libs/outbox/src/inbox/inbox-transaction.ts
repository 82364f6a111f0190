import { AsyncLocalStorage } from 'node:async_hooks';
import { createParamDecorator } from '@nestjs/common';
import type { PoolClient } from 'pg';
import type { OutboxPoolClient } from '../sql/outbox-pool';

const current = new AsyncLocalStorage<OutboxPoolClient>();

/** Runs `work` with `tx` as the inbox transaction of the handler it calls. */
export function withInboxTransaction<T>(tx: OutboxPoolClient, work: () => Promise<T>): Promise<T> {
  return current.run(tx, work);
}

/**
 * The transaction an `idempotent: true` handler runs in (PostgreSQL inbox store): do the handler's writes on
 * it, and they commit together with the message id, or not at all. `undefined` outside such a handler (and
 * with the Redis store, which has no transaction). Typed as the client of the module's pool: a node-postgres
 * `PoolClient` unless you give `C` (the client type of another `OutboxPool`).
 * @publicApi
 */
export function currentInboxTransaction<C extends OutboxPoolClient = PoolClient>(): C | undefined {
  return current.getStore() as C | undefined;
}

/**
 * Parameter decorator giving an `idempotent: true` handler its transaction (a node-postgres `PoolClient`
 * inside `BEGIN`): `async onPayment(@Payload() p: Payment, @InboxTransaction() tx: PoolClient)`.
 * @publicApi
 */
export const InboxTransaction: () => ParameterDecorator = createParamDecorator(() =>
  currentInboxTransaction(),
);
