import { ConfigurationError } from '@databus/common';
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
    expect(handler.source).toEqual({ queue: undefined, bindExchange: 'notifications', prefetch: 10 });
    expect(handler.deadLetter).toBe('notifications.dlq');
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
    [
      { kind: 'event', exchange: 'x', options: { retry: { attempts: -1 } } },
      'W.m @EventSubscriber.retry.attempts',
    ],
  ])('rejects %j', (meta, option) => {
    expect(() => resolveHandler(meta as never, options, 'W.m')).toThrow(ConfigurationError);
    expect(() => resolveHandler(meta as never, options, 'W.m')).toThrow(expect.objectContaining({ option }));
  });
});
