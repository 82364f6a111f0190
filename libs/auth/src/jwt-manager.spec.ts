import { AuthenticationError, RequestTimeoutError } from '@databus/common';
import { JwtManager } from './jwt-manager';
import {
  JwtManagerClosedError,
  TokenRejectedError,
  TokenRequestError,
  TokenUnavailableError,
} from './auth.errors';
import type { TokenRefreshFailedEvent } from './jwt-manager.events';
import type { JwtAuthModuleOptions } from './options/jwt-auth-options.interface';
import type { TokenResponse } from './token';
import { tokenFactory } from '../test/helpers/fake-jwt';

type Step = (call: number, signal: AbortSignal) => Promise<string | TokenResponse>;

/** A custom strategy whose answers the test scripts, counting calls. */
function scripted(lifetimeSeconds = 3600) {
  const mint = tokenFactory();
  const state = {
    calls: 0,
    step: undefined as Step | undefined,
    issued: [] as string[],
    fetchToken: async ({ signal }: { signal: AbortSignal }): Promise<string | TokenResponse> => {
      state.calls += 1;
      if (state.step) return state.step(state.calls, signal);
      const token = mint(Date.now(), lifetimeSeconds);
      state.issued.push(token);
      return token;
    },
    ok(): void {
      state.step = undefined;
    },
  };
  return state;
}

function manager(fetch: ReturnType<typeof scripted>, extra: Partial<JwtAuthModuleOptions> = {}): JwtManager {
  return JwtManager.create({
    strategy: 'custom',
    fetchToken: fetch.fetchToken,
    logger: false,
    random: () => 0,
    ...extra,
  } as JwtAuthModuleOptions);
}

const down = (): Promise<never> =>
  Promise.reject(new TokenRequestError('endpoint down', { code: 'ECONNREFUSED' }));

describe('JwtManager', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_700_000_000_000 }));
  afterEach(() => jest.useRealTimers());

  it('makes one token request for 1,000 concurrent getToken() calls', async () => {
    const fetch = scripted();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const mint = tokenFactory();
    fetch.step = async () => {
      await gate;
      return mint(Date.now(), 3600);
    };
    const jwt = manager(fetch);
    const callers = Array.from({ length: 1000 }, () => jwt.getToken());
    release();
    const tokens = await Promise.all(callers);
    expect(fetch.calls).toBe(1);
    expect(new Set(tokens.map((t) => t.value)).size).toBe(1);
    await jwt.close();
  });

  it('refreshes in the background before expiry while callers keep the cached token without waiting', async () => {
    const fetch = scripted(3600);
    const jwt = manager(fetch);
    await jwt.start();
    const first = jwt.current();
    expect(first).toBeDefined();
    await jest.advanceTimersByTimeAsync(55 * 60_000 - 1);
    expect(fetch.calls).toBe(1);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const mint = tokenFactory('svc');
    fetch.step = async () => {
      await gate;
      return mint(Date.now(), 3600);
    };
    await jest.advanceTimersByTimeAsync(1);
    expect(fetch.calls).toBe(2);
    // The refresh is still in flight: callers get the old token at once.
    await expect(jwt.getToken()).resolves.toBe(first);
    release();
    await jest.advanceTimersByTimeAsync(0);
    const second = await jwt.getToken();
    expect(second.equals(first)).toBe(false);
    await jwt.close();
  });

  it('keeps serving the old token when a refresh fails and retries with capped exponential backoff', async () => {
    const fetch = scripted(3600);
    const jwt = manager(fetch, { refresh: { backoff: { initialMs: 1_000, maxMs: 4_000, jitter: 0 } } });
    const failures: TokenRefreshFailedEvent[] = [];
    jwt.on('refreshFailed', (e) => failures.push(e));
    await jwt.start();
    const token = jwt.current()!;
    fetch.step = down;
    await jest.advanceTimersByTimeAsync(55 * 60_000);
    expect(fetch.calls).toBe(2);
    for (const wait of [1_000, 2_000, 4_000, 4_000]) {
      await expect(jwt.getToken()).resolves.toBe(token);
      await jest.advanceTimersByTimeAsync(wait);
    }
    expect(failures.map((f) => f.nextRetryInMs)).toEqual([1_000, 2_000, 4_000, 4_000, 4_000]);
    expect(failures.every((f) => f.servingStale && !f.permanent)).toBe(true);
    expect(jwt.status().state).toBe('stale');
    fetch.ok();
    await jest.advanceTimersByTimeAsync(4_000);
    expect(jwt.status()).toMatchObject({ state: 'fresh', failures: 0 });
    expect(jwt.current()!.equals(token)).toBe(false);
    await jwt.close();
  });

  it('makes one last attempt right before the hard margin instead of letting a long backoff skip it', async () => {
    const fetch = scripted(3600);
    const attempts: number[] = [];
    const jwt = manager(fetch, {
      refresh: { backoff: { initialMs: 60_000, maxMs: 600_000, factor: 4, jitter: 0 } },
    });
    await jwt.start();
    const start = Date.now();
    fetch.step = () => {
      attempts.push(Date.now() - start);
      return down();
    };
    await jest.advanceTimersByTimeAsync(3600_000);
    const usableUntil = 3600_000 - 10_000;
    // Refresh at 55 min, a retry 1 min later; the next one (4 min later) would pass the margin, so it runs at it.
    expect(attempts).toEqual([55 * 60_000, 56 * 60_000, usableUntil]);
    expect(jwt.current()).toBeUndefined();
    await jwt.close();
  });

  it('honours Retry-After over its own backoff', async () => {
    const fetch = scripted(3600);
    const jwt = manager(fetch, { refresh: { backoff: { initialMs: 1_000, jitter: 0 } } });
    await jwt.start();
    fetch.step = () => Promise.reject(new TokenRequestError('busy', { status: 503, retryAfterMs: 20_000 }));
    await jest.advanceTimersByTimeAsync(55 * 60_000);
    expect(fetch.calls).toBe(2);
    await jest.advanceTimersByTimeAsync(19_999);
    expect(fetch.calls).toBe(2);
    await jest.advanceTimersByTimeAsync(1);
    expect(fetch.calls).toBe(3);
    await jwt.close();
  });

  it('waits the maximum backoff after a permanent failure instead of retrying tightly', async () => {
    const fetch = scripted();
    fetch.step = () => Promise.reject(new TokenRejectedError('HTTP 401', { status: 401 }));
    const jwt = manager(fetch, {
      failOnStartup: false,
      refresh: { backoff: { initialMs: 100, maxMs: 30_000 } },
    });
    await jwt.start();
    await expect(jwt.getToken()).rejects.toBeInstanceOf(AuthenticationError);
    await jest.advanceTimersByTimeAsync(29_999);
    expect(fetch.calls).toBe(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(fetch.calls).toBe(2);
    await jwt.close();
  });

  it('fails callers with a typed error once the token has expired and recovers when the endpoint returns', async () => {
    const fetch = scripted(60);
    const expired: unknown[] = [];
    const jwt = manager(fetch, { refresh: { backoff: { initialMs: 1_000, maxMs: 2_000, jitter: 0 } } });
    jwt.on('expired', (e) => expired.push(e));
    await jwt.start();
    fetch.step = down;
    await jest.advanceTimersByTimeAsync(60_000);
    expect(jwt.current()).toBeUndefined();
    const error = await jwt.getToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenUnavailableError);
    expect((error as TokenUnavailableError).cause).toBeInstanceOf(TokenRequestError);
    expect(expired).toHaveLength(1);
    expect(jwt.status().state).toBe('expired');
    fetch.ok();
    await jest.advanceTimersByTimeAsync(2_000);
    await expect(jwt.getToken()).resolves.toBeDefined();
    expect(jwt.status().state).toBe('fresh');
    await jwt.close();
  });

  it('does not hammer a failing endpoint: callers during the backoff get the last error without a request', async () => {
    const fetch = scripted();
    fetch.step = down;
    const jwt = manager(fetch, {
      failOnStartup: false,
      refresh: { backoff: { initialMs: 5_000, jitter: 0 } },
    });
    await jwt.start();
    for (let i = 0; i < 20; i++) await expect(jwt.getToken()).rejects.toBeInstanceOf(TokenUnavailableError);
    expect(fetch.calls).toBe(1);
    await jwt.close();
  });

  it('coalesces forced refreshes and skips them when a newer token already exists', async () => {
    const fetch = scripted();
    const jwt = manager(fetch);
    await jwt.start();
    const stale = jwt.current()!;
    const [a, b, c] = await Promise.all([
      jwt.forceRefresh(stale),
      jwt.forceRefresh(stale),
      jwt.forceRefresh(stale),
    ]);
    expect(fetch.calls).toBe(2);
    expect(a).toBe(b);
    expect(b).toBe(c);
    await expect(jwt.forceRefresh(stale)).resolves.toBe(a);
    expect(fetch.calls).toBe(2);
    // Without a known stale token, forced refreshes are limited to one per forcedMinIntervalMs.
    await expect(jwt.forceRefresh()).resolves.toBe(a);
    expect(fetch.calls).toBe(2);
    await jest.advanceTimersByTimeAsync(10_000);
    await jwt.forceRefresh();
    expect(fetch.calls).toBe(3);
    await jwt.close();
  });

  it('limits each token request to requestTimeoutMs', async () => {
    const fetch = scripted();
    fetch.step = (_call, signal) =>
      new Promise((_r, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    const jwt = manager(fetch, { requestTimeoutMs: 2_000, failOnStartup: false });
    const pending = jwt.getToken().catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(2_000);
    const error = await pending;
    expect(error).toBeInstanceOf(TokenUnavailableError);
    expect((error as Error).cause).toBeInstanceOf(RequestTimeoutError);
    await jwt.close();
  });

  it('fails start() with the typed error under failOnStartup and leaves no timer behind', async () => {
    const fetch = scripted();
    fetch.step = () => Promise.reject(new TokenRejectedError('refused'));
    const jwt = manager(fetch);
    await expect(jwt.start()).rejects.toBeInstanceOf(TokenRejectedError);
    expect(jest.getTimerCount()).toBe(0);
    await expect(jwt.getToken()).rejects.toBeInstanceOf(JwtManagerClosedError);
  });

  it('tells refresh listeners when the JWT subject changes', async () => {
    const fetch = scripted();
    const mint = tokenFactory();
    const jwt = manager(fetch);
    const seen: Array<[string | undefined, boolean]> = [];
    jwt.on('refreshed', (e) => seen.push([e.token.subject, e.principalChanged]));
    fetch.step = async () => mint(Date.now(), 3600, 'alice');
    await jwt.start();
    await jest.advanceTimersByTimeAsync(10_000);
    await jwt.forceRefresh();
    fetch.step = async () => mint(Date.now(), 3600, 'bob');
    await jest.advanceTimersByTimeAsync(10_000);
    await jwt.forceRefresh();
    expect(seen).toEqual([
      ['alice', false],
      ['alice', false],
      ['bob', true],
    ]);
    await jwt.close();
  });

  it('uses the earlier of expires_in and exp', async () => {
    const fetch = scripted();
    const mint = tokenFactory();
    fetch.step = async () => ({ accessToken: mint(Date.now(), 3600), expiresIn: 120 });
    const jwt = manager(fetch);
    await jwt.start();
    expect(jwt.current()!.expiresAt).toBe(Date.now() + 120_000);
    await jwt.close();
  });

  it('clears every timer on close and rejects later calls', async () => {
    const fetch = scripted();
    const jwt = manager(fetch);
    await jwt.start();
    expect(jest.getTimerCount()).toBe(1);
    await jwt.close();
    expect(jest.getTimerCount()).toBe(0);
    expect(jwt.current()).toBeUndefined();
    await expect(jwt.getToken()).rejects.toBeInstanceOf(JwtManagerClosedError);
    expect(jwt.status().state).toBe('closed');
  });

  it('aborts a request in flight at shutdown', async () => {
    const fetch = scripted();
    let aborted = false;
    fetch.step = (_c, signal) =>
      new Promise((_r, reject) =>
        signal.addEventListener('abort', () => {
          aborted = true;
          reject(signal.reason);
        }),
      );
    const jwt = manager(fetch, { failOnStartup: false });
    const pending = jwt.getToken().catch((e: unknown) => e);
    await jwt.close();
    expect(aborted).toBe(true);
    expect(await pending).toBeInstanceOf(JwtManagerClosedError);
  });
});
