import { ConfigurationError } from '@databus/common';
import { resolveRetry, resolveTaskQueueOptions } from './resolve-options';

describe('resolveTaskQueueOptions', () => {
  it('applies defaults and picks the backend from the URL scheme', () => {
    const memory = resolveTaskQueueOptions({ url: 'memory://' });
    expect(memory).toMatchObject({
      backend: 'memory',
      prefetch: 20,
      maxPriority: 0,
      shutdownTimeoutMs: 10_000,
    });
    expect(memory.retry).toEqual({
      attempts: 5,
      backoff: { initialMs: 1000, maxMs: 60_000, factor: 2, jitter: 0.2 },
    });
    const rabbit = resolveTaskQueueOptions({ url: 'amqp://user:p%40ss@r1:5672,r2/vh' });
    expect(rabbit).toMatchObject({ backend: 'rabbitmq', username: 'user', password: 'p@ss' });
    expect(rabbit.url.hosts).toEqual([{ host: 'r1', port: 5672 }, { host: 'r2' }]);
    expect(rabbit.safeUrl).toBe('amqp://r1:5672,r2/vh');
  });

  it('refuses tls with amqp:// by the scheme rule shared with streaming (assertTlsScheme): amqps:// is TLS', () => {
    let error: unknown;
    try {
      resolveTaskQueueOptions({ url: 'amqp://host:5672', tls: { insecure: true } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toBe(
      'Invalid option "TaskQueueModule.tls": expected amqps:// in the url (TLS options are not used with amqp://, which connects to the plain port without TLS; write amqps:// and the TLS port), received amqp://….',
    );
    expect(() => resolveTaskQueueOptions({ url: 'amqps://host', tls: { insecure: true } })).not.toThrow();
  });

  it('lets username/password options override the URL credentials', () => {
    const options = resolveTaskQueueOptions({
      url: 'amqp://a:b@host',
      username: 'env-user',
      password: 'env-pass',
    });
    expect(options).toMatchObject({ username: 'env-user', password: 'env-pass' });
  });

  it.each([
    [{ url: 'kafka://host:9092' }, 'TaskQueueModule.url'],
    [{ url: '' }, 'TaskQueueModule.url'],
    [{ url: 'memory://', prefetch: 0 }, 'TaskQueueModule.prefetch'],
    [{ url: 'memory://', maxPriority: 300 }, 'TaskQueueModule.maxPriority'],
    [{ url: 'memory://', retry: { attempts: 0 } }, 'TaskQueueModule.retry.attempts'],
    [{ url: 'memory://', retry: { backoff: { factor: 0.5 } } }, 'TaskQueueModule.retry.backoff.factor'],
    [{ url: 'memory://', shutdownTimeoutMs: -1 }, 'TaskQueueModule.shutdownTimeoutMs'],
    [{ url: 'amqp://host', tls: {} }, 'TaskQueueModule.tls'],
    [{ url: 'amqps://host', tls: { cert: '-----BEGIN CERTIFICATE-----x' } }, 'TaskQueueModule.tls.key'],
    [{ url: 'memory://', credentials: {} }, 'TaskQueueModule.credentials'],
  ])('rejects %j naming %s', (options, option) => {
    let error: unknown;
    try {
      resolveTaskQueueOptions(options as never);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).option).toBe(option);
  });

  it('offers only the URLs the queue accepts when the URL is missing', () => {
    const missing = () => resolveTaskQueueOptions({ url: '' });
    expect(missing).toThrow(ConfigurationError);
    expect(missing).toThrow(
      'Invalid option "TaskQueueModule.url": expected a broker URL such as memory://, amqp://user:pass@host:5672/vhost, amqps://host.',
    );
  });

  it('never puts the password in an error message', () => {
    expect(() => resolveTaskQueueOptions({ url: 'nats://u:hunter2@host' })).toThrow(/^(?!.*hunter2)/s);
  });
});

describe('resolveRetry', () => {
  it('treats false as a single attempt and merges a handler policy over the module one', () => {
    const base = resolveRetry({ attempts: 4, backoff: { initialMs: 10 } }, 'retry');
    expect(resolveRetry(false, 'h.retry', base).attempts).toBe(1);
    expect(resolveRetry({ backoff: { factor: 3 } }, 'h.retry', base)).toEqual({
      attempts: 4,
      backoff: { initialMs: 10, maxMs: 60_000, factor: 3, jitter: 0.2 },
    });
  });

  it('resolves the observability options and the handlers switch (registerHandlers is its alias)', () => {
    const base = resolveTaskQueueOptions({ url: 'memory://' });
    expect(base).toMatchObject({ handlers: true, tracing: true });
    expect(base.metrics.increment).toEqual(expect.any(Function));
    expect(resolveTaskQueueOptions({ url: 'memory://', handlers: false }).handlers).toBe(false);
    expect(resolveTaskQueueOptions({ url: 'memory://', registerHandlers: false }).handlers).toBe(false);
    expect(resolveTaskQueueOptions({ url: 'memory://', tracing: false }).tracing).toBe(false);
    expect(() =>
      resolveTaskQueueOptions({ url: 'memory://', handlers: false, registerHandlers: true }),
    ).toThrow('TaskQueueModule.handlers');
    expect(() => resolveTaskQueueOptions({ url: 'memory://', metrics: {} as never })).toThrow(
      'TaskQueueModule.metrics',
    );
    expect(() => resolveTaskQueueOptions({ url: 'memory://', tracing: 'yes' as never })).toThrow(
      'TaskQueueModule.tracing',
    );
  });
});
