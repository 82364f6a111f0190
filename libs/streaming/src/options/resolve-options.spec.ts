import { ConfigurationError } from '@databus/common';
import { Offset } from '../offset/offset';
import { resolveConsumerOptions } from './resolve-consumer-options';
import { resolveStreamingOptions } from './resolve-streaming-options';

describe('resolveStreamingOptions', () => {
  it('defaults to the embedded memory broker', () => {
    const resolved = resolveStreamingOptions({});
    expect(resolved.transportName).toBe(process.env.STREAMING_URL ? expect.any(String) : 'memory');
    expect(resolved.retryOnFail).toBe(true);
    expect(resolved.shutdownTimeoutMs).toBe(10_000);
  });

  it('selects the transport from the scheme and keeps every broker of a cluster', () => {
    const resolved = resolveStreamingOptions({ url: 'kafka://b1:9092,b2:9093' });
    expect(resolved.transportName).toBe('kafka');
    expect(resolved.url.hosts).toEqual([
      { host: 'b1', port: 9092 },
      { host: 'b2', port: 9093 },
    ]);
    expect(resolveStreamingOptions({ url: 'amqps://u:p@h' }).secure).toBe(true);
  });

  it.each([
    ['amqp://host:5672', 'amqp', 'amqps'],
    ['mqtt://host:1883', 'mqtt', 'mqtts'],
    ['kafka://host:9092', 'kafka', 'kafka+ssl'],
  ])(
    'refuses tls with %s by the scheme rule shared with the queue (assertTlsScheme)',
    (url, scheme, secure) => {
      let error: unknown;
      try {
        resolveStreamingOptions({ url, tls: { insecure: true } });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigurationError);
      expect((error as Error).message).toBe(
        `Invalid option "StreamingModule.tls": expected ${secure}:// in the url (TLS options are not used with ${scheme}://, which connects to the plain port without TLS; write ${secure}:// and the TLS port), received ${scheme}://….`,
      );
    },
  );

  it('takes tls with nats:// as TLS negotiated in-band on the same port, and with TLS schemes', () => {
    expect(resolveStreamingOptions({ url: 'nats://host:4222', tls: { insecure: true } }).secure).toBe(true);
    expect(resolveStreamingOptions({ url: 'amqps://host', tls: { insecure: true } }).secure).toBe(true);
    expect(resolveStreamingOptions({ url: 'amqp://host' }).secure).toBe(false);
  });

  it('rejects an unknown scheme, naming the option and the supported schemes', () => {
    expect(() => resolveStreamingOptions({ url: 'redis://x' })).toThrow(ConfigurationError);
    expect(() => resolveStreamingOptions({ url: 'redis://x' })).toThrow(/StreamingModule\.url.*memory:\/\//);
  });

  it('rejects unknown and badly typed options by name, without echoing passwords', () => {
    expect(() => resolveStreamingOptions({ urll: 'x' } as never)).toThrow(/StreamingModule\.urll/);
    expect(() => resolveStreamingOptions({ shutdownTimeoutMs: -1 })).toThrow(
      /StreamingModule\.shutdownTimeoutMs/,
    );
    try {
      resolveStreamingOptions({ url: 'amqp://user:s3cret@host:99999' });
    } catch (error) {
      expect((error as Error).message).not.toContain('s3cret');
    }
  });

  it('refuses an explicit url that is undefined or empty; only an absent key falls back to memory', () => {
    for (const [url, received] of [
      [undefined, 'undefined'],
      ['', 'an empty string'],
    ] as const) {
      const attempt = () => resolveStreamingOptions({ url });
      expect(attempt).toThrow(ConfigurationError);
      expect(attempt).toThrow(
        `Invalid option "StreamingModule.url": expected a broker URL such as kafka://host:9092 (leave the key out to use STREAMING_URL or memory://default), received ${received}.`,
      );
    }
    const saved = process.env.STREAMING_URL;
    delete process.env.STREAMING_URL;
    try {
      expect(resolveStreamingOptions({}).rawUrl).toBe('memory://default');
    } finally {
      if (saved !== undefined) process.env.STREAMING_URL = saved;
    }
  });

  it('turns URL credentials into a credentials provider', async () => {
    const resolved = resolveStreamingOptions({ url: 'amqp://guest:guest@localhost' });
    await expect(resolved.credentials?.get()).resolves.toEqual({ username: 'guest', password: 'guest' });
  });
});

describe('resolveConsumerOptions', () => {
  const fallbacks = { group: 'G', maxWaitMs: 100 };
  it('applies module defaults under the consumer options', () => {
    const r = resolveConsumerOptions(
      'd',
      { batch: 5 },
      { concurrency: 2, retry: { attempts: 4 } },
      fallbacks,
      'here',
    );
    expect(r).toMatchObject({
      batch: 5,
      concurrency: 2,
      attempts: 4,
      prefetch: 10,
      group: 'G',
      deadLetter: 'd.dlq',
      offset: Offset.LATEST,
    });
  });

  it('checks that prefetch covers batch and concurrency', () => {
    expect(() =>
      resolveConsumerOptions('d', { batch: 10, prefetch: 5 }, {}, fallbacks, '@OnDatasetMessage(d)'),
    ).toThrow(/@OnDatasetMessage\(d\): prefetch.*>= batch/);
  });

  it('accepts the channel client offset names', () => {
    expect(resolveConsumerOptions('d', { offset: 'earliest' }, {}, fallbacks, 'x').offset).toBe(Offset.BEGIN);
    expect(() => resolveConsumerOptions('d', { offset: 'first' as never }, {}, fallbacks, 'x')).toThrow(
      /x: offset/,
    );
  });

  it('refuses a dead-letter dataset equal to the consumed one', () => {
    expect(() => resolveConsumerOptions('d', { deadLetter: 'd' }, {}, fallbacks, 'x')).toThrow(
      /x: deadLetter/,
    );
  });
});
