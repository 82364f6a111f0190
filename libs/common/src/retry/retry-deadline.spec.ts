import { AuthenticationError, TemporaryError } from '../errors';
import { describeAttempt } from './attempt-log';
import { retry, RetriesExhaustedError, RetryAttemptReport } from './retry';

const noJitter = { initialMs: 100, maxMs: 1_000, factor: 2, jitter: 0 };

/** Advances the fake clock by `ms` and returns what `pending` rejected with (or resolved to). */
async function outcomeAfter(pending: Promise<unknown>, ms: number): Promise<unknown> {
  const settled = pending.catch((e: unknown) => e);
  await jest.advanceTimersByTimeAsync(ms);
  return settled;
}

/** `error` is the `RetriesExhaustedError` of a loop that gave up with `message`. */
function expectGaveUp(error: unknown, message: string): void {
  expect(error).toBeInstanceOf(RetriesExhaustedError);
  expect((error as Error).message).toBe(message);
}

describe('retry with a deadline (fake clock)', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('waits with exponential backoff between attempts and reports each failed attempt once', async () => {
    const reports: RetryAttemptReport[] = [];
    const starts: number[] = [];
    const t0 = Date.now();
    const pending = retry(
      async (attempt) => {
        starts.push(Date.now() - t0);
        if (attempt < 4) throw new TemporaryError(`down ${attempt}`);
        return 'up';
      },
      { attempts: 10, backoff: noJitter },
      { onAttempt: (r) => reports.push(r) },
    );
    await jest.advanceTimersByTimeAsync(10_000);
    await expect(pending).resolves.toBe('up');
    expect(starts).toEqual([0, 100, 300, 700]);
    expect(reports.map((r) => [r.attempt, r.nextDelayMs, r.outcome])).toEqual([
      [1, 100, 'retry'],
      [2, 200, 'retry'],
      [3, 400, 'retry'],
    ]);
  });

  it('jitter only shortens the wait', async () => {
    const reports: RetryAttemptReport[] = [];
    const pending = retry(
      async (attempt) => {
        if (attempt < 3) throw new TemporaryError('down');
      },
      { backoff: { ...noJitter, jitter: 0.5 } },
      { onAttempt: (r) => reports.push(r), random: () => 1 },
    );
    await jest.advanceTimersByTimeAsync(1_000);
    await pending;
    expect(reports.map((r) => r.nextDelayMs)).toEqual([50, 100]);
  });

  it('fails at once on an error classified permanent, after one report', async () => {
    const reports: RetryAttemptReport[] = [];
    const refused = new AuthenticationError('ACCESS_REFUSED');
    let calls = 0;
    const pending = retry(
      async () => {
        calls++;
        throw refused;
      },
      { attempts: Infinity, deadlineMs: 30_000 },
      { onAttempt: (r) => reports.push(r) },
    );
    await expect(pending).rejects.toBe(refused);
    expect(calls).toBe(1);
    expect(reports.map((r) => r.outcome)).toEqual(['permanent']);
  });

  it('uses the classifier: a plain error classified transient is retried', async () => {
    let calls = 0;
    const pending = retry(
      async () => {
        if (++calls < 2) throw new Error('ECONNREFUSED');
        return calls;
      },
      { backoff: noJitter },
      { classify: (e) => ((e as Error).message === 'ECONNREFUSED' ? 'transient' : 'permanent') },
    );
    await jest.advanceTimersByTimeAsync(100);
    await expect(pending).resolves.toBe(2);
  });

  it('gives up when the next attempt would start after the deadline, naming the option', async () => {
    const reports: RetryAttemptReport[] = [];
    const pending = retry(
      async () => {
        throw new TemporaryError('connect ECONNREFUSED 127.0.0.1:1');
      },
      { attempts: Infinity, deadlineMs: 1_000, backoff: noJitter },
      { onAttempt: (r) => reports.push(r), deadlineOption: 'connectTimeoutMs' },
    );
    const error = await outcomeAfter(pending, 1_000);
    expectGaveUp(
      error,
      'Gave up after 4 attempts within connectTimeoutMs = 1000 ms: connect ECONNREFUSED 127.0.0.1:1',
    );
    // attempts at 0, 100, 300, 700; the next wait (800 ms) would end past 1000 ms
    expect(reports.map((r) => r.outcome)).toEqual(['retry', 'retry', 'retry', 'deadline']);
    expect(reports[3]?.nextDelayMs).toBeUndefined();
  });

  it('names the whole budget of the option, not what was left of it, when deadlineBudgetMs is given', async () => {
    const pending = retry(
      async () => {
        throw new TemporaryError('timeout');
      },
      { attempts: Infinity, deadlineMs: 1, backoff: noJitter },
      { deadlineOption: 'produceTimeoutMs', deadlineBudgetMs: 4_000 },
    );
    const error = await outcomeAfter(pending, 10);
    expectGaveUp(error, 'Gave up after 1 attempt within produceTimeoutMs = 4000 ms: timeout');
  });

  it('aborts an attempt that hangs past the deadline through the signal it was handed', async () => {
    const pending = retry(
      (_attempt, signal) =>
        new Promise<never>((_resolve, reject) =>
          signal.addEventListener('abort', () => reject(new TemporaryError('connect timed out'))),
        ),
      { attempts: Infinity, deadlineMs: 5_000 },
      { deadlineOption: 'connectTimeoutMs' },
    );
    const error = await outcomeAfter(pending, 5_000);
    expectGaveUp(error, 'Gave up after 1 attempt within connectTimeoutMs = 5000 ms: connect timed out');
    expect(jest.getTimerCount()).toBe(0);
  });

  it('names the failure of the attempt before when the deadline cuts the last attempt short', async () => {
    const reports: RetryAttemptReport[] = [];
    const pending = retry(
      (attempt, signal) =>
        attempt === 1
          ? Promise.reject(new TemporaryError('connect ECONNREFUSED 127.0.0.1:1'))
          : new Promise<never>((_resolve, reject) =>
              // a slow attempt (a loaded machine): still running when the deadline passes
              signal.addEventListener('abort', () => reject(signal.reason)),
            ),
      { attempts: Infinity, deadlineMs: 1_000, backoff: noJitter },
      { onAttempt: (r) => reports.push(r), deadlineOption: 'connectTimeoutMs' },
    );
    const error = await outcomeAfter(pending, 1_000);
    expectGaveUp(
      error,
      'Gave up after 2 attempts within connectTimeoutMs = 1000 ms: connect ECONNREFUSED 127.0.0.1:1',
    );
    expect(reports.map((r) => [r.outcome, (r.error as Error).message])).toEqual([
      ['retry', 'connect ECONNREFUSED 127.0.0.1:1'],
      ['deadline', 'no answer within 1000 ms'],
    ]);
  });

  it('also names the attempt before when the cut attempt wraps the abort reason in an error of its own', async () => {
    const pending = retry(
      (attempt, signal) =>
        attempt === 1
          ? Promise.reject(new TemporaryError('connect ECONNREFUSED 127.0.0.1:1'))
          : new Promise<never>((_resolve, reject) =>
              signal.addEventListener('abort', () =>
                reject(
                  new TemporaryError('no acknowledgement within 1000 ms', {
                    cause: new Error('aborted', { cause: signal.reason }),
                  }),
                ),
              ),
            ),
      { attempts: Infinity, deadlineMs: 1_000, backoff: noJitter },
      { deadlineOption: 'produceTimeoutMs' },
    );
    expectGaveUp(
      await outcomeAfter(pending, 1_000),
      'Gave up after 2 attempts within produceTimeoutMs = 1000 ms: connect ECONNREFUSED 127.0.0.1:1',
    );
  });

  it('keeps an attempt of its own failing after the deadline passed (not the cut) as the cause', async () => {
    const pending = retry(
      (attempt, signal) =>
        attempt === 1
          ? Promise.reject(new TemporaryError('connect ECONNREFUSED 127.0.0.1:1'))
          : new Promise<never>((_resolve, reject) =>
              signal.addEventListener('abort', () => reject(new TemporaryError('socket closed'))),
            ),
      { attempts: Infinity, deadlineMs: 1_000, backoff: noJitter },
      { deadlineOption: 'produceTimeoutMs' },
    );
    expectGaveUp(
      await outcomeAfter(pending, 1_000),
      'Gave up after 2 attempts within produceTimeoutMs = 1000 ms: socket closed',
    );
  });

  it('names the cut when the first attempt is the one the deadline cuts short', async () => {
    const pending = retry(
      (_attempt, signal) =>
        new Promise<never>((_resolve, reject) =>
          signal.addEventListener('abort', () => reject(signal.reason)),
        ),
      { attempts: Infinity, deadlineMs: 500 },
      { deadlineOption: 'connectTimeoutMs' },
    );
    expect(((await outcomeAfter(pending, 500)) as Error).message).toBe(
      'Gave up after 1 attempt within connectTimeoutMs = 500 ms: no answer within 500 ms',
    );
  });

  it('stops at the attempt budget before the deadline', async () => {
    const pending = retry(
      async () => {
        throw new TemporaryError('down');
      },
      { attempts: 2, deadlineMs: 60_000, backoff: noJitter },
    );
    const error = await outcomeAfter(pending, 100);
    expectGaveUp(error, 'Gave up after 2 attempts: down');
  });

  it('an abort during the wait rejects with the reason and makes no further attempt', async () => {
    const controller = new AbortController();
    let calls = 0;
    const pending = retry(
      async () => {
        calls++;
        throw new TemporaryError('down');
      },
      { attempts: Infinity, backoff: noJitter },
      { signal: controller.signal },
    );
    const settled = pending.catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(50);
    const reason = new Error('closing');
    controller.abort(reason);
    await expect(settled).resolves.toBe(reason);
    await jest.advanceTimersByTimeAsync(10_000);
    expect(calls).toBe(1);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('an abort during an attempt reaches the attempt signal and ends the loop as aborted', async () => {
    const controller = new AbortController();
    const reports: RetryAttemptReport[] = [];
    const pending = retry(
      (_attempt, signal) =>
        new Promise<never>((_resolve, reject) =>
          signal.addEventListener('abort', () => reject(new TemporaryError('cancelled'))),
        ),
      { attempts: Infinity },
      { signal: controller.signal, onAttempt: (r) => reports.push(r) },
    );
    const reason = new Error('closing');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    expect(reports.map((r) => r.outcome)).toEqual(['aborted']);
  });

  it('refuses a deadline that is not positive', async () => {
    await expect(retry(async () => 1, { deadlineMs: 0 }, { path: 'connect' })).rejects.toThrow(
      new TypeError('connect.deadlineMs must be > 0'),
    );
  });
});

describe('describeAttempt', () => {
  const base = { error: new TemporaryError('ECONNREFUSED'), elapsedMs: 0 };

  it('names the attempt, the budget, the cause and the next wait', () => {
    expect(
      describeAttempt('Connecting to amqp://h:5672', {
        ...base,
        attempt: 2,
        attempts: 5,
        nextDelayMs: 400,
        outcome: 'retry',
      }),
    ).toBe('Connecting to amqp://h:5672 failed (attempt 2 of 5): ECONNREFUSED; retrying in 400 ms');
  });

  it('leaves out an infinite budget and says when it gives up', () => {
    expect(
      describeAttempt('Connecting', {
        ...base,
        attempt: 7,
        attempts: Infinity,
        nextDelayMs: undefined,
        outcome: 'deadline',
      }),
    ).toBe('Connecting failed (attempt 7): ECONNREFUSED; giving up');
  });
});
