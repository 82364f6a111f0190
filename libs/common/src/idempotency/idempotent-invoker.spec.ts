import { ConfigurationError, PermanentError } from '../errors';
import { IDEMPOTENCY_STORE, IdempotencyStore, IdempotentDelivery } from './idempotency-store.interface';
import { idempotentInvoker, requireIdempotencyStore } from './idempotent-invoker';

/** Remembers processed ids in memory, as the real stores do in their tables. */
class MemoryStore implements IdempotencyStore {
  readonly seen = new Set<string>();
  async run<T>(delivery: IdempotentDelivery, handler: () => Promise<T>) {
    const key = `${delivery.consumer}/${delivery.messageId}`;
    if (this.seen.has(key)) return { duplicate: true as const };
    const result = await handler();
    this.seen.add(key);
    return { duplicate: false as const, result };
  }
}

describe('idempotentInvoker', () => {
  const idOf = (message: { id?: string }) => message.id;

  it('runs the handler once per message id and resolves a redelivery with undefined', async () => {
    const calls: string[] = [];
    const invoke = idempotentInvoker(new MemoryStore(), 'Payments.on', idOf, async (m: { id?: string }) => {
      calls.push(m.id as string);
      return 'reply';
    });
    expect(await invoke({ id: 'a' })).toBe('reply');
    expect(await invoke({ id: 'a' })).toBeUndefined();
    expect(await invoke({ id: 'b' })).toBe('reply');
    expect(calls).toEqual(['a', 'b']);
  });

  it('refuses a message without an id with a PermanentError naming the handler (dead-lettered, not retried)', async () => {
    const invoke = idempotentInvoker(new MemoryStore(), 'Payments.on', idOf, async () => 'never');
    const attempt = invoke({});
    await expect(attempt).rejects.toBeInstanceOf(PermanentError);
    await expect(attempt).rejects.toThrow(
      'Payments.on is idempotent but the message has no producer-assigned id',
    );
  });
});

describe('requireIdempotencyStore', () => {
  it('finds the store provided under IDEMPOTENCY_STORE', () => {
    const store = new MemoryStore();
    const lookup = { get: (token: string) => (token === IDEMPOTENCY_STORE ? store : undefined) };
    expect(requireIdempotencyStore(lookup, 'x.idempotent')).toBe(store);
  });

  it('names the option and the module to import when no module provides one', () => {
    const lookup = {
      get: () => {
        throw new Error('Nest could not find DATABUS_IDEMPOTENCY_STORE');
      },
    };
    const attempt = () => requireIdempotencyStore(lookup, "@TaskHandler('refunds') idempotent");
    expect(attempt).toThrow(ConfigurationError);
    expect(attempt).toThrow("@TaskHandler('refunds') idempotent");
    expect(attempt).toThrow('import OutboxModule from @databus/outbox');
  });
});
