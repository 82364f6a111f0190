import { ConfigurationError } from '@databus/common';
import { resolveAmqpOptions } from './amqp.options';

describe('resolveAmqpOptions', () => {
  it('defaults to a 7-day stream and sane timings', () => {
    expect(resolveAmqpOptions({})).toEqual({
      streamArguments: { 'x-queue-type': 'stream', 'x-max-age': '7D' },
      heartbeatSeconds: 10,
      socketTimeoutMs: 10_000,
      lockPollMs: 1_000,
    });
  });

  it('maps retention to stream arguments', () => {
    const { streamArguments } = resolveAmqpOptions({
      retention: { maxAge: '12h', maxLengthBytes: 5_000_000, maxSegmentSizeBytes: 1_000_000 },
    });
    expect(streamArguments).toEqual({
      'x-queue-type': 'stream',
      'x-max-age': '12h',
      'x-max-length-bytes': 5_000_000,
      'x-stream-max-segment-size-bytes': 1_000_000,
    });
    expect(resolveAmqpOptions({ retention: { maxLengthBytes: 10 } }).streamArguments).toEqual({
      'x-queue-type': 'stream',
      'x-max-length-bytes': 10,
    });
  });

  it('maps replicas to the initial cluster size of each stream', () => {
    expect(resolveAmqpOptions({ replicas: 3 }).streamArguments).toEqual({
      'x-queue-type': 'stream',
      'x-max-age': '7D',
      'x-initial-cluster-size': 3,
    });
  });

  it.each([
    [{ replicas: 0 }, 'transportOptions.replicas'],
    [{ retention: { maxAge: '7 days' } }, 'transportOptions.retention.maxAge'],
    [{ retention: { maxAge: 7 } }, 'transportOptions.retention.maxAge'],
    [{ retention: { maxLengthBytes: -1 } }, 'transportOptions.retention.maxLengthBytes'],
    [{ retention: { maxCount: 1 } }, 'transportOptions.retention.maxCount'],
    [{ retention: 'forever' }, 'transportOptions.retention'],
    [{ heartbeatSeconds: 1.5 }, 'transportOptions.heartbeatSeconds'],
    [{ lockPollMs: 0 }, 'transportOptions.lockPollMs'],
    [{ socketTimeoutMs: 'soon' }, 'transportOptions.socketTimeoutMs'],
    [{ connectTimeoutMs: 'soon' }, 'transportOptions.connectTimeoutMs'],
    [{ prefetch: 10 }, 'transportOptions.prefetch'],
  ])('rejects %j naming %s', (raw, option) => {
    const error = (() => {
      try {
        resolveAmqpOptions(raw as Record<string, unknown>);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).option).toBe(option);
  });

  describe('socketTimeoutMs and its deprecated former name connectTimeoutMs', () => {
    it('takes socketTimeoutMs without a warning', () => {
      const warn = jest.fn();
      expect(resolveAmqpOptions({ socketTimeoutMs: 3000 }, warn).socketTimeoutMs).toBe(3000);
      expect(warn).not.toHaveBeenCalled();
    });

    it('still honours connectTimeoutMs, with one warning naming the new option', () => {
      const warn = jest.fn();
      expect(resolveAmqpOptions({ connectTimeoutMs: 3000 }, warn).socketTimeoutMs).toBe(3000);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn.mock.calls[0][0]).toBe(
        'transportOptions.connectTimeoutMs of the amqp transport is deprecated and will be removed in the next release: ' +
          'it is the socket timeout of one connect attempt, now named transportOptions.socketTimeoutMs; rename it ' +
          "(the module's connectTimeoutMs bounds the whole bootstrap).",
      );
    });

    it('refuses both names with different values, naming socketTimeoutMs', () => {
      let error: unknown;
      try {
        resolveAmqpOptions({ socketTimeoutMs: 2000, connectTimeoutMs: 3000 });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error).toMatchObject({ option: 'transportOptions.socketTimeoutMs' });
      expect((error as Error).message).toContain('socketTimeoutMs: 2000, connectTimeoutMs: 3000');
    });
  });
});
