import { JwtManager, TokenRefreshFailedEvent, TokenRequestError, TokenUnavailableError } from '@databus/auth';
import { waitFor } from '@databus/testing';
import { CapturingLogger } from './helpers/capturing-logger';
import { JwtSigner } from './helpers/jwt-signer';
import { createTestPki, TestPki } from './helpers/pki';
import { TokenServer } from './helpers/token-server';

/** Real timers, real HTTPS, tokens that live a few seconds. */
describe('refresh behaviour against a real token endpoint', () => {
  let pki: TestPki;
  let signer: JwtSigner;
  let server: TokenServer;
  const logger = new CapturingLogger();
  const managers: JwtManager[] = [];

  beforeAll(async () => {
    pki = createTestPki();
    signer = JwtSigner.start();
    server = await TokenServer.start({ pki, signer });
  });
  beforeEach(() => {
    server.ttlSeconds = 60;
    server.tokenDelayMs = 0;
    server.tokenStatus = undefined;
    server.retryAfter = undefined;
  });
  afterEach(async () => {
    await Promise.all(managers.splice(0).map((m) => m.close()));
    if (!(server as unknown as { server: { listening: boolean } }).server.listening) await server.restart();
  });
  afterAll(async () => {
    await server.close();
    await signer.close();
    pki.remove();
  });

  const create = (options: Record<string, unknown> = {}): JwtManager => {
    const manager = JwtManager.create(
      {
        strategy: 'password',
        tokenUrl: `${server.url}/login`,
        username: server.credentials.username,
        password: server.credentials.password,
        tokenField: 'data.jwt',
        tls: { ca: pki.caCert },
        failOnStartup: false,
        requestTimeoutMs: 2_000,
        refresh: { backoff: { initialMs: 50, maxMs: 200 } },
        ...options,
      } as never,
      logger,
    );
    managers.push(manager);
    return manager;
  };

  it('answers 1,000 concurrent getToken() calls during a refresh with exactly one token request', async () => {
    server.tokenDelayMs = 200;
    const before = server.count('/login');
    const jwt = create();
    const tokens = await Promise.all(Array.from({ length: 1000 }, () => jwt.getToken()));
    expect(server.count('/login') - before).toBe(1);
    expect(new Set(tokens.map((t) => t.fingerprint)).size).toBe(1);
  });

  it('during a refresh in flight, serves 1,000 callers the cached token and coalesces 1,000 forced refreshes', async () => {
    const jwt = create();
    const old = await jwt.getToken();
    server.tokenDelayMs = 300;
    const before = server.count('/login');
    const forced = Array.from({ length: 1000 }, () => jwt.forceRefresh(old));
    const cached = await Promise.all(Array.from({ length: 1000 }, () => jwt.getToken()));
    expect(cached.every((t) => t === old)).toBe(true);
    const fresh = await Promise.all(forced);
    expect(new Set(fresh.map((t) => t.fingerprint)).size).toBe(1);
    expect(fresh[0].equals(old)).toBe(false);
    expect(server.count('/login') - before).toBe(1);
  });

  it('refreshes short-lived tokens before they expire, so current() is never empty', async () => {
    // exp has whole-second precision, so a "3 s" token lives 2-3 s; its hard margin is 10 % of that.
    server.ttlSeconds = 3;
    const jwt = create();
    const first = await jwt.getToken();
    const gaps: number[] = [];
    const seen = new Set<string>();
    const deadline = Date.now() + 5_000;
    while (Date.now() < deadline) {
      const token = jwt.current();
      if (!token) gaps.push(Date.now());
      else seen.add(token.fingerprint);
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(gaps).toEqual([]);
    expect(seen.size).toBeGreaterThanOrEqual(3);
    expect(seen.has(first.fingerprint)).toBe(true);
  }, 10_000);

  it('keeps every caller served while the endpoint is down and the token is still valid', async () => {
    server.ttlSeconds = 8;
    const jwt = create();
    const failures: TokenRefreshFailedEvent[] = [];
    jwt.on('refreshFailed', (e) => failures.push(e));
    const token = await jwt.getToken();
    await server.stop();
    const results = [];
    // Past the scheduled refresh (about half the lifetime), well before the hard margin.
    const deadline = Date.now() + 5_000;
    while (Date.now() < deadline) {
      results.push(
        await jwt.getToken().then(
          (t) => t.fingerprint,
          (e: unknown) => e,
        ),
      );
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(results.every((r) => r === token.fingerprint)).toBe(true);
    expect(failures.length).toBeGreaterThan(0);
    expect(failures.every((f) => f.servingStale && f.error instanceof TokenRequestError)).toBe(true);
    expect(jwt.status().state).toBe('stale');
  }, 10_000);

  it('fails with a typed error once the token expired while the endpoint is down, then recovers', async () => {
    server.ttlSeconds = 2;
    const jwt = create();
    await jwt.getToken();
    await server.stop();
    const error = await waitFor(
      () =>
        jwt.getToken().then(
          () => undefined,
          (e: unknown) => e,
        ),
      {
        timeoutMs: 5_000,
        message: 'getToken() to fail after expiry',
      },
    );
    expect(error).toBeInstanceOf(TokenUnavailableError);
    expect((error as TokenUnavailableError).cause).toMatchObject({ details: { code: 'ECONNREFUSED' } });
    expect(jwt.current()).toBeUndefined();
    expect(jwt.status().state).toBe('expired');
    await server.restart();
    const token = await waitFor(() => jwt.current(), {
      timeoutMs: 5_000,
      message: 'the background retry to recover',
    });
    expect(server.issued).toContain(token.value);
    await expect(jwt.getToken()).resolves.toBe(token);
  }, 15_000);

  it('retries an overloaded endpoint no sooner than its Retry-After', async () => {
    server.tokenStatus = 503;
    server.retryAfter = '1';
    const jwt = create();
    const failures: TokenRefreshFailedEvent[] = [];
    jwt.on('refreshFailed', (e) => failures.push(e));
    await expect(jwt.getToken()).rejects.toBeInstanceOf(TokenUnavailableError);
    expect(failures[0].nextRetryInMs).toBeGreaterThanOrEqual(1_000);
  });

  it('never logs a token', () => {
    const text = logger.text();
    expect(logger.lines.length).toBeGreaterThan(0);
    for (const token of server.issued) expect(text).not.toContain(token);
    expect(text).not.toContain(server.credentials.password);
  });
});
