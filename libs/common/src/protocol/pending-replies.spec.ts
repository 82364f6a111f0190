import { RequestTimeoutError, TemporaryError } from '../errors';
import { PendingReplies } from './pending-replies';

describe('PendingReplies', () => {
  afterEach(() => jest.useRealTimers());

  it('resolves a request with its reply, once, and ignores late or unknown replies', async () => {
    const table = new PendingReplies<string>();
    const reply = table.expect('c1', 'orders', 1000);
    expect(table.size).toBe(1);
    expect(table.destination('c1')).toBe('orders');
    expect(table.resolve('c1', 'done')).toBe(true);
    await expect(reply).resolves.toBe('done');
    expect(table.resolve('c1', 'again')).toBe(false);
    expect(table.resolve('other', 'x')).toBe(false);
    expect(table.size).toBe(0);
  });

  it('fails a request with RequestTimeoutError naming the destination after timeoutMs', async () => {
    jest.useFakeTimers();
    const table = new PendingReplies<string>();
    const reply = table.expect('c1', 'orders', 500);
    await jest.advanceTimersByTimeAsync(500);
    await expect(reply).rejects.toThrow(new RequestTimeoutError('orders', 500));
    expect(table.size).toBe(0);
  });

  it('rejects one request or all of them, and runs each cleanup once', async () => {
    const table = new PendingReplies<string>();
    const cleanup = jest.fn();
    const one = table.expect('c1', 'a', 1000, cleanup);
    const two = table.expect('c2', 'b', 1000, cleanup);
    const three = table.expect('c3', 'c', 1000);
    table.reject('c1', new TemporaryError('send failed'));
    await expect(one).rejects.toThrow(new TemporaryError('send failed'));
    table.rejectAll(new TemporaryError('closed'));
    await expect(two).rejects.toThrow(new TemporaryError('closed'));
    await expect(three).rejects.toThrow(new TemporaryError('closed'));
    expect(cleanup).toHaveBeenCalledTimes(2);
  });

  it('does not report a rejection as unhandled before the caller awaits it', async () => {
    const unhandled = jest.fn();
    process.on('unhandledRejection', unhandled);
    try {
      const table = new PendingReplies<string>();
      const reply = table.expect('c1', 'a', 1000);
      table.reject('c1', new TemporaryError('send failed'));
      await new Promise((r) => setImmediate(r));
      expect(unhandled).not.toHaveBeenCalled();
      await expect(reply).rejects.toThrow(new TemporaryError('send failed'));
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });
});
