import { JwtManager, TokenRejectedError } from '@databus/auth';
import { CapturingLogger } from './helpers/capturing-logger';
import { JwtSigner } from './helpers/jwt-signer';
import { createTestPki, TestPki } from './helpers/pki';
import { TokenServer } from './helpers/token-server';

describe('password and client_credentials strategies against a real HTTPS token endpoint', () => {
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
  afterEach(async () => {
    await Promise.all(managers.splice(0).map((m) => m.close()));
  });
  afterAll(async () => {
    await server.close();
    await signer.close();
    pki.remove();
  });

  const create = (options: Record<string, unknown>): JwtManager => {
    const manager = JwtManager.create(
      {
        failOnStartup: false,
        tls: { ca: pki.caCert },
        refresh: { backoff: { initialMs: 50, maxMs: 200 } },
        ...options,
      } as never,
      logger,
    );
    managers.push(manager);
    return manager;
  };

  describe('password', () => {
    const options = () => ({
      strategy: 'password',
      tokenUrl: `${server.url}/login`,
      username: server.credentials.username,
      password: server.credentials.password,
      tokenField: 'data.jwt',
    });

    it('logs in with HTTP Basic and reads the token at the configured JSON path', async () => {
      const token = await create(options()).getToken();
      expect(server.issued).toContain(token.value);
      expect(token.subject).toBe('alice');
      const login = server.seen.filter((r) => r.path === '/login').at(-1)!;
      expect(login.method).toBe('GET');
    });

    it('reports a wrong password as a permanent TokenRejectedError and does not retry it tightly', async () => {
      const before = server.count('/login');
      const jwt = create({
        ...options(),
        password: 'wrong',
        refresh: { backoff: { initialMs: 10, maxMs: 60_000 } },
      });
      const errors = await Promise.all(
        Array.from({ length: 5 }, () => jwt.getToken().catch((e: unknown) => e)),
      );
      for (const error of errors) expect(error).toBeInstanceOf(TokenRejectedError);
      await expect(jwt.getToken()).rejects.toMatchObject({ details: { status: 401 } });
      expect(server.count('/login') - before).toBe(1);
      expect(jwt.status().nextRetryAt! - Date.now()).toBeGreaterThan(50_000);
    });
  });

  describe('client_credentials', () => {
    const options = () => ({
      strategy: 'client_credentials',
      tokenUrl: `${server.url}/oauth/token`,
      clientId: server.credentials.clientId,
      clientSecret: server.credentials.clientSecret,
      scope: ['read', 'write'],
      audience: 'https://api.example',
    });

    it.each(['client_secret_basic', 'client_secret_post'])('obtains a token with %s', async (clientAuth) => {
      server.expiresIn = 30;
      const jwt = create({ ...options(), clientAuth });
      const started = Date.now();
      const token = await jwt.getToken();
      server.expiresIn = undefined;
      expect(server.issued).toContain(token.value);
      expect(token.claims).toMatchObject({ sub: 'svc-1', scope: 'read write', aud: 'https://api.example' });
      // expires_in (30 s) is earlier than exp (60 s) and wins, counted from the request start.
      expect(token.expiresAt).toBeGreaterThanOrEqual(started + 30_000);
      expect(token.expiresAt).toBeLessThan(started + 31_000);
      const request = server.seen.filter((r) => r.path === '/oauth/token').at(-1)!;
      const form = new URLSearchParams(request.body);
      expect(form.get('grant_type')).toBe('client_credentials');
      if (clientAuth === 'client_secret_basic') {
        expect(request.authorization).toMatch(/^Basic /);
        expect(form.has('client_secret')).toBe(false);
      } else {
        expect(request.authorization).toBeUndefined();
        expect(form.get('client_secret')).toBe(server.credentials.clientSecret);
      }
    });

    it('reports invalid_client as a TokenRejectedError carrying the OAuth2 code', async () => {
      const jwt = create({ ...options(), clientSecret: 'nope' });
      await expect(jwt.getToken()).rejects.toMatchObject({
        constructor: TokenRejectedError,
        details: { status: 401, code: 'invalid_client' },
      });
    });
  });

  it('never logs tokens, passwords or client secrets', () => {
    const text = logger.text();
    expect(logger.lines.length).toBeGreaterThan(0);
    for (const token of server.issued) expect(text).not.toContain(token);
    expect(text).not.toContain(server.credentials.password);
    expect(text).not.toContain(server.credentials.clientSecret);
    expect(text).not.toContain(
      Buffer.from(`${server.credentials.username}:${server.credentials.password}`).toString('base64'),
    );
  });
});
