import { JwtManager } from './jwt-manager';
import { JwtManagerClosedError, TokenRequestError, TokenUnavailableError } from './auth.errors';
import type { JwtAuthModuleOptions } from './options/jwt-auth-options.interface';
import { tokenFactory } from '../test/helpers/fake-jwt';

/** A custom strategy minting one-hour tokens; `fail` makes the next requests fail temporarily. */
function source() {
  const mint = tokenFactory();
  const state = {
    calls: 0,
    fail: false,
    issued: [] as string[],
    fetchToken: async (): Promise<string> => {
      state.calls += 1;
      if (state.fail) throw new TokenRequestError('endpoint down', { code: 'ECONNREFUSED' });
      const token = mint(Date.now(), 3600);
      state.issued.push(token);
      return token;
    },
  };
  return state;
}

const manager = (fetch: ReturnType<typeof source>): JwtManager =>
  JwtManager.create({
    name: 'gateway',
    strategy: 'custom',
    fetchToken: fetch.fetchToken,
    logger: false,
    random: () => 0,
  } as JwtAuthModuleOptions);

describe('JwtManager.currentHeaders() (synchronous) and reset()', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_700_000_000_000 }));
  afterEach(() => jest.useRealTimers());

  it('currentHeaders() returns the bearer header of the cached token without any request', async () => {
    const fetch = source();
    const jwt = manager(fetch);
    await jwt.start();
    const headers = jwt.currentHeaders();
    expect(headers).toEqual({ Authorization: `Bearer ${fetch.issued[0]}` });
    expect(headers).toEqual(await jwt.getHeaders());
    expect(fetch.calls).toBe(1);
    await jwt.close();
  });

  it('currentHeaders() throws TokenUnavailableError naming the source when no token is cached yet', () => {
    const fetch = source();
    const jwt = manager(fetch);
    let thrown: unknown;
    try {
      jwt.currentHeaders();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TokenUnavailableError);
    expect((thrown as Error).message).toBe(
      'Token source "gateway" has no usable token cached (none obtained yet, expired, or reset); currentHeaders() does no I/O: await getHeaders() fetches one.',
    );
    expect(fetch.calls).toBe(0);
  });

  it('currentHeaders() throws once the token is inside its hard margin and the refresh keeps failing', async () => {
    const fetch = source();
    const jwt = manager(fetch);
    await jwt.start();
    fetch.fail = true;
    await jest.advanceTimersByTimeAsync(3600_000);
    expect(() => jwt.currentHeaders()).toThrow(TokenUnavailableError);
    expect(() => jwt.currentHeaders()).toThrow('Token source "gateway" has no usable token cached');
    await jwt.close();
  });

  it('currentHeaders() throws JwtManagerClosedError after close()', async () => {
    const jwt = manager(source());
    await jwt.start();
    await jwt.close();
    expect(() => jwt.currentHeaders()).toThrow(JwtManagerClosedError);
    expect(() => jwt.currentHeaders()).toThrow(
      'Token source "gateway" is closed (the application is shutting down).',
    );
  });

  it('reset() purges the cached token: currentHeaders() throws and the next getToken() fetches a new one', async () => {
    const fetch = source();
    const jwt = manager(fetch);
    await jwt.start();
    jwt.reset();
    expect(jwt.current()).toBeUndefined();
    expect(jwt.status().state).toBe('empty');
    expect(() => jwt.currentHeaders()).toThrow(TokenUnavailableError);
    await jest.advanceTimersByTimeAsync(1000);
    const token = await jwt.getToken();
    expect(fetch.calls).toBe(2);
    expect(token.value).toBe(fetch.issued[1]);
    expect(token.value).not.toBe(fetch.issued[0]);
    expect(jwt.currentHeaders()).toEqual({ Authorization: `Bearer ${fetch.issued[1]}` });
    await jwt.close();
  });

  it('reset() also clears the failure backoff, so the next getToken() asks at once instead of failing fast', async () => {
    const fetch = source();
    const jwt = manager(fetch);
    fetch.fail = true;
    const first = await jwt.getToken().catch((error: unknown) => error);
    expect(first).toBeInstanceOf(TokenUnavailableError);
    expect((first as Error).message).toBe('Token source "gateway" has no usable token: endpoint down');
    const callsAfterFailure = fetch.calls;
    // Inside the backoff the manager fails fast without a request.
    const again = await jwt.getToken().catch((error: unknown) => error);
    expect(again).toBeInstanceOf(TokenUnavailableError);
    expect((again as Error).message).toBe('Token source "gateway" has no usable token: endpoint down');
    expect(fetch.calls).toBe(callsAfterFailure);
    jwt.reset();
    expect(jwt.status()).toMatchObject({ state: 'empty', failures: 0, lastError: undefined });
    fetch.fail = false;
    const token = await jwt.getToken();
    expect(fetch.calls).toBe(callsAfterFailure + 1);
    expect(token.value).toBe(fetch.issued[0]);
    await jwt.close();
  });
});
