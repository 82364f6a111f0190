import { ConfigurationError } from '@databus/common';
import { resolveOutboxOptions } from './resolve-outbox-options';

describe('resolveOutboxOptions', () => {
  it('applies the defaults: relay on with LISTEN, postgres inbox kept 7 days, schema public', () => {
    const resolved = resolveOutboxOptions({ connectionString: 'postgres://127.0.0.1/test' });
    expect(resolved.tables.outbox).toBe('"public".databus_outbox');
    expect(resolved.relay).toMatchObject({
      batchSize: 100,
      maxAttempts: 5,
      pollIntervalMs: 1_000,
      listen: true,
    });
    expect(resolved.inbox).toMatchObject({ store: 'postgres', retentionMs: 7 * 86_400_000 });
  });

  it('names a misspelt relay option', () => {
    expect(() =>
      resolveOutboxOptions({ connectionString: 'postgres://x/y', relay: { batchSise: 3 } as never }),
    ).toThrow('OutboxModule.relay.batchSise');
  });

  it('names a relay maxAttempts that is not a positive integer', () => {
    expect(() =>
      resolveOutboxOptions({ connectionString: 'postgres://x/y', relay: { maxAttempts: 0 } }),
    ).toThrow('OutboxModule.relay.maxAttempts');
  });

  it('wants exactly one of pool and connectionString', () => {
    expect(() => resolveOutboxOptions({})).toThrow(ConfigurationError);
    expect(() => resolveOutboxOptions({})).toThrow('OutboxModule.pool');
  });

  it('refuses a schema that is not a plain identifier (it is pasted into SQL)', () => {
    expect(() => resolveOutboxOptions({ connectionString: 'postgres://x/y', schema: 'a"; drop' })).toThrow(
      'OutboxModule.schema',
    );
  });

  it('names a bad inbox store', () => {
    expect(() =>
      resolveOutboxOptions({ connectionString: 'postgres://x/y', inbox: { store: 'mongo' as never } }),
    ).toThrow('OutboxModule.inbox.store');
  });
});
