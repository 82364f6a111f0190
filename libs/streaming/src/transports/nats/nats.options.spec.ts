import { ConfigurationError } from '@databus/common';
import { resolveNatsOptions } from './nats.options';

describe('resolveNatsOptions', () => {
  it('applies defaults', () => {
    const o = resolveNatsOptions({});
    expect(o).toMatchObject({
      streamPrefix: 'DATABUS_',
      subjectPrefix: '',
      ackWaitMs: 60_000,
      maxAckPending: undefined,
      ephemeralInactiveMs: 300_000,
      pullExpiresMs: 5_000,
      dedupe: true,
    });
    expect(o.stream).toEqual({
      maxAgeMs: 7 * 24 * 3600_000,
      maxMessages: -1,
      maxBytes: -1,
      replicas: 1,
      storage: 'file',
    });
  });

  it('accepts retention options', () => {
    const o = resolveNatsOptions({
      stream: { maxAgeMs: 0, maxMessages: 10, maxBytes: 1024, replicas: 3, storage: 'memory' },
    });
    expect(o.stream).toEqual({
      maxAgeMs: 0,
      maxMessages: 10,
      maxBytes: 1024,
      replicas: 3,
      storage: 'memory',
    });
  });

  it.each([
    [{ nope: 1 }, 'transportOptions.nope'],
    [{ stream: { size: 1 } }, 'transportOptions.stream.size'],
    [{ stream: { replicas: 7 } }, 'transportOptions.stream.replicas'],
    [{ consumerReplicas: 0 }, 'transportOptions.consumerReplicas'],
    [{ stream: { storage: 'disk' } }, 'transportOptions.stream.storage'],
    [{ stream: 'big' }, 'transportOptions.stream'],
    [{ ackWaitMs: 10 }, 'transportOptions.ackWaitMs'],
    [{ pullExpiresMs: 500 }, 'transportOptions.pullExpiresMs'],
    [{ maxAckPending: 0 }, 'transportOptions.maxAckPending'],
    [{ dedupe: 'yes' }, 'transportOptions.dedupe'],
    [{ streamPrefix: 'a.b' }, 'transportOptions.streamPrefix'],
    [{ subjectPrefix: 'databus' }, 'transportOptions.subjectPrefix'],
    [{ subjectPrefix: 'a.*.' }, 'transportOptions.subjectPrefix'],
  ])('rejects %j naming %s', (raw, option) => {
    let error: unknown;
    try {
      resolveNatsOptions(raw as Record<string, unknown>);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).option).toBe(option);
  });

  it('accepts a dotted subject prefix', () => {
    expect(resolveNatsOptions({ subjectPrefix: 'acme.databus.' }).subjectPrefix).toBe('acme.databus.');
  });
});
