import { ConfigurationError, PermanentError } from '../errors';
import { IDEMPOTENCY_STORE, IdempotencyStore } from './idempotency-store.interface';

/** What finding the store needs of Nest's `ModuleRef` (structural: this layer imports no Nest). */
export interface ProviderLookup {
  get(token: string, options: { strict: boolean }): unknown;
}

/**
 * The application's idempotency store, for a handler with `idempotent: true`; a `ConfigurationError` naming
 * `option` when no module provides one (import `OutboxModule` from `@databus/outbox`).
 */
export function requireIdempotencyStore(modules: ProviderLookup, option: string): IdempotencyStore {
  let store: unknown;
  try {
    store = modules.get(IDEMPOTENCY_STORE, { strict: false });
  } catch {
    store = undefined;
  }
  if (typeof (store as IdempotencyStore | undefined)?.run !== 'function')
    throw new ConfigurationError(
      option,
      `an idempotency store in the application (import OutboxModule from @databus/outbox, which provides ${IDEMPOTENCY_STORE})`,
    );
  return store as IdempotencyStore;
}

/**
 * Wraps a handler invoker so that each message id runs it once per `consumer`: a redelivery of a processed
 * message resolves with `undefined` at once (and is acknowledged by the caller as usual). A message without
 * an id fails with a `PermanentError` (dead-lettered): an idempotent handler cannot tell its redeliveries.
 */
export function idempotentInvoker<A extends unknown[], R>(
  store: IdempotencyStore,
  consumer: string,
  messageIdOf: (...args: A) => string | undefined,
  invoke: (...args: A) => Promise<R> | R,
): (...args: A) => Promise<R | undefined> {
  return async (...args: A) => {
    const messageId = messageIdOf(...args);
    if (!messageId)
      throw new PermanentError(
        `${consumer} is idempotent but the message has no producer-assigned id (x-databus-message-id header / AMQP message id)`,
      );
    const outcome = await store.run({ consumer, messageId }, async () => invoke(...args));
    return outcome.duplicate ? undefined : outcome.result;
  };
}
