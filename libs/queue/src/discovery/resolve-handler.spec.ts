import { ConfigurationError } from '@databus/common';
import { DURABLE_DECLARATION } from '@databus/common/amqp';
import { resolveTaskQueueOptions } from '../options/resolve-options';
import { resolveHandler } from './resolve-handler';

const options = resolveTaskQueueOptions({ url: 'memory://', prefetch: 10, maxPriority: 3 });

describe('resolveHandler', () => {
  it('resolves a task handler with defaults from the module', () => {
    const handler = resolveHandler(
      { kind: 'task', queue: 'stats', options: { concurrency: 4 } },
      options,
      'W.m',
    );
    expect(handler).toMatchObject({
      name: 'W.m',
      label: 'stats',
      concurrency: 4,
      deadLetter: 'stats.dlq',
      onFailure: 'retry',
      source: { queue: { name: 'stats', maxPriority: 3 }, bindExchange: undefined, prefetch: 10 },
    });
    expect(handler.retry.attempts).toBe(5);
  });

  it('gives an unnamed event subscriber an exclusive queue bound to the exchange', () => {
    const handler = resolveHandler({ kind: 'event', exchange: 'notifications', options: {} }, options, 'W.m');
    expect(handler.source).toEqual({
      queue: undefined,
      bindExchange: 'notifications',
      exchange: { declare: DURABLE_DECLARATION, option: 'W.m @EventSubscriber.exchangeOptions' },
      prefetch: 10,
    });
    expect(handler.deadLetter).toBe('notifications.dlq');
    expect(handler.delivery).toBe('at-least-once');
  });

  it('turns idempotent on only when asked, and names a non-boolean value', () => {
    const resolve = (idempotent: unknown) =>
      resolveHandler(
        { kind: 'task', queue: 'q', options: { idempotent: idempotent as boolean } },
        options,
        'W.m',
      );
    expect(resolve(undefined).idempotent).toBe(false);
    expect(resolve(true).idempotent).toBe(true);
    expect(() => resolve('yes')).toThrow(ConfigurationError);
    expect(() => resolve('yes')).toThrow('W.m @TaskHandler.idempotent');
  });

  it("declares queues and exchanges durable by default and as queueOptions / exchangeOptions say (pika's defaults)", () => {
    const task = resolveHandler({ kind: 'task', queue: 'stats', options: {} }, options, 'W.m');
    expect(task.source.queue?.declare).toBe(DURABLE_DECLARATION);
    const pika = resolveHandler(
      { kind: 'task', queue: 'stats', options: { queueOptions: { durable: false } } },
      options,
      'W.m',
    );
    expect(pika.source.queue).toMatchObject({
      name: 'stats',
      declare: { durable: false, exclusive: false, autoDelete: false, arguments: {} },
      option: 'W.m @TaskHandler.queueOptions',
    });
    const logs = resolveHandler(
      { kind: 'event', exchange: 'logs', options: { exchangeOptions: { durable: false } } },
      options,
      'W.m',
    );
    expect(logs.source.exchange?.declare).toMatchObject({ durable: false });
  });

  it('refuses unknown declaration keys, queueOptions without a named queue and exchangeOptions on a task', () => {
    expect(() =>
      resolveHandler(
        { kind: 'task', queue: 'q', options: { queueOptions: { durabel: false } } } as never,
        options,
        'W.m',
      ),
    ).toThrow(expect.objectContaining({ option: 'W.m @TaskHandler.queueOptions.durabel' }));
    expect(() =>
      resolveHandler(
        { kind: 'event', exchange: 'x', options: { queueOptions: { durable: false } } },
        options,
        'W.m',
      ),
    ).toThrow(expect.objectContaining({ option: 'W.m @EventSubscriber.queueOptions' }));
    expect(() =>
      resolveHandler({ kind: 'task', queue: 'q', options: { exchangeOptions: {} } } as never, options, 'W.m'),
    ).toThrow(expect.objectContaining({ option: 'W.m @TaskHandler.exchangeOptions' }));
  });

  it("consumes at most once with noAck, no retry and no dead letter for delivery: 'at-most-once'", () => {
    const handler = resolveHandler(
      { kind: 'event', exchange: 'logs', options: { delivery: 'at-most-once' } },
      options,
      'W.m',
    );
    expect(handler).toMatchObject({ delivery: 'at-most-once', deadLetter: false, onFailure: 'ack' });
    expect(handler.source.noAck).toBe(true);
    expect(handler.retry.attempts).toBe(1);
  });

  it.each(['retry', 'deadLetter', 'onFailure'] as const)(
    "refuses %s with delivery: 'at-most-once', naming the option",
    (key) => {
      const value = { retry: { attempts: 3 }, deadLetter: 'errors', onFailure: 'retry' }[key];
      expect(() =>
        resolveHandler(
          { kind: 'task', queue: 'q', options: { delivery: 'at-most-once', [key]: value } },
          options,
          'W.m',
        ),
      ).toThrow(
        expect.objectContaining({
          option: `W.m @TaskHandler.${key}`,
          expected: expect.stringContaining("delivery: 'at-most-once'"),
        }),
      );
    },
  );

  it('accepts a named dead-letter queue or none', () => {
    expect(
      resolveHandler({ kind: 'task', queue: 'q', options: { deadLetter: 'errors' } }, options, 'W.m')
        .deadLetter,
    ).toBe('errors');
    expect(
      resolveHandler({ kind: 'task', queue: 'q', options: { deadLetter: false } }, options, 'W.m').deadLetter,
    ).toBe(false);
  });

  it('refuses a concurrency above the prefetch, naming the option', () => {
    expect(() =>
      resolveHandler({ kind: 'task', queue: 'q', options: { concurrency: 11 } }, options, 'W.m'),
    ).toThrow(expect.objectContaining({ option: 'W.m @TaskHandler.concurrency' }));
    expect(() =>
      resolveHandler(
        { kind: 'task', queue: 'q', options: { concurrency: 11, prefetch: 11 } },
        options,
        'W.m',
      ),
    ).not.toThrow();
  });

  it.each([
    [{ kind: 'task', queue: '', options: {} }, 'W.m @TaskHandler.queue'],
    [{ kind: 'task', queue: 'q', options: { onFailure: 'drop' } }, 'W.m @TaskHandler.onFailure'],
    [{ kind: 'task', queue: 'q', options: { delivery: 'maybe' } }, 'W.m @TaskHandler.delivery'],
    [
      { kind: 'event', exchange: 'x', options: { retry: { attempts: -1 } } },
      'W.m @EventSubscriber.retry.attempts',
    ],
  ])('rejects %j', (meta, option) => {
    expect(() => resolveHandler(meta as never, options, 'W.m')).toThrow(ConfigurationError);
    expect(() => resolveHandler(meta as never, options, 'W.m')).toThrow(expect.objectContaining({ option }));
  });

  it('declares a quorum work queue when asked, and refuses the module maxPriority with it', () => {
    const quorum = { queueOptions: { arguments: { 'x-queue-type': 'quorum' } } };
    const plain = resolveTaskQueueOptions({ url: 'memory://' });
    const handler = resolveHandler({ kind: 'task', queue: 'jobs', options: quorum }, plain, 'W.m');
    expect(handler.source.queue?.declare?.arguments).toEqual({ 'x-queue-type': 'quorum' });
    const refuse = () => resolveHandler({ kind: 'task', queue: 'jobs', options: quorum }, options, 'W.m');
    expect(refuse).toThrow(ConfigurationError);
    expect(refuse).toThrow(
      /"TaskQueueModule.maxPriority".*quorum queue "jobs" \(W.m @TaskHandler.queueOptions\)/,
    );
  });

  it('refuses an exclusive quorum queue before anything is declared, naming the option', () => {
    const refuse = () =>
      resolveHandler(
        {
          kind: 'task',
          queue: 'jobs',
          options: { queueOptions: { exclusive: true, arguments: { 'x-queue-type': 'quorum' } } },
        },
        options,
        'W.m',
      );
    expect(refuse).toThrow(/"W.m @TaskHandler.queueOptions.exclusive"/);
  });
});
