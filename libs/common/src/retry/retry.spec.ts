import { ConfigurationError, TemporaryError } from '../errors';
import { backoffDelay, resolveBackoff } from './backoff';
import { retry, RetriesExhaustedError } from './retry';

describe('retry', () => {
  it('retries temporary errors until the operation succeeds', async () => {
    let calls = 0;
    const result = await retry(
      async () => {
        if (++calls < 3) throw new TemporaryError('down');
        return 'ok';
      },
      { attempts: 5, backoff: { initialMs: 1, maxMs: 2 } },
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
  });

  it('rethrows a permanent error at once', async () => {
    let calls = 0;
    const error = new ConfigurationError('x', 'y');
    await expect(
      retry(async () => {
        calls++;
        throw error;
      }),
    ).rejects.toBe(error);
    expect(calls).toBe(1);
  });

  it('counts a firstFailure as attempt 1 and calls the operation from attempt 2 on', async () => {
    const first = new TemporaryError('fast path failed');
    const seen: number[] = [];
    const reports: Array<{ attempt: number; error: unknown }> = [];
    const result = await retry(
      async (attempt) => {
        seen.push(attempt);
        return 'ok';
      },
      { attempts: 3, backoff: { initialMs: 1, maxMs: 1 } },
      {
        firstFailure: { error: first },
        onAttempt: (r) => reports.push({ attempt: r.attempt, error: r.error }),
      },
    );
    expect(result).toBe('ok');
    expect(seen).toEqual([2]);
    expect(reports).toEqual([{ attempt: 1, error: first }]);
  });

  it('rethrows a permanent firstFailure without calling the operation', async () => {
    const refused = new ConfigurationError('produce', 'refused');
    const operation = jest.fn(async () => 'never');
    await expect(retry(operation, {}, { firstFailure: { error: refused } })).rejects.toBe(refused);
    expect(operation).not.toHaveBeenCalled();
  });

  it('wraps the last failure after the last attempt', async () => {
    const last = new TemporaryError('still down');
    const failure = retry(
      async () => {
        throw last;
      },
      { attempts: 2, backoff: { initialMs: 1, maxMs: 1 } },
    );
    await expect(failure).rejects.toBeInstanceOf(RetriesExhaustedError);
    await expect(failure).rejects.toMatchObject({ attempts: 2, cause: last });
  });
});

describe('backoffDelay', () => {
  it('grows exponentially up to maxMs, jitter only lowering it', () => {
    const b = resolveBackoff({ initialMs: 100, maxMs: 1000, factor: 2, jitter: 0.5 }, 'retry.backoff');
    expect(backoffDelay(1, b, () => 0)).toBe(100);
    expect(backoffDelay(3, b, () => 0)).toBe(400);
    expect(backoffDelay(10, b, () => 0)).toBe(1000);
    expect(backoffDelay(3, b, () => 1)).toBe(200);
  });

  it('names the bad option', () => {
    expect(() => resolveBackoff({ factor: 0.5 }, 'retry.backoff')).toThrow(/retry\.backoff\.factor/);
  });
});
