import { JwtManager, jwtCredentials, TokenRejectedError } from '@databus/auth';
import { Offset } from '@databus/streaming';
import { AuthenticationError, parseBrokerUrl, resolveBackoff } from '@databus/common';
import { RestStreamingTransport } from '../../src/transports/rest';
import { fakeServiceLogin, FakeStreamingService } from '../fakes/fake-streaming-service';

const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };

describe('the REST streaming service logins through JwtManager (fake service)', () => {
  let fake: FakeStreamingService;
  beforeAll(async () => {
    fake = await FakeStreamingService.start({ rotateEvery: 0 });
  });
  afterAll(() => fake.close());

  it('streaming_login: GET /identity/v1/login with Basic credentials, the token from AuthorizationToken', async () => {
    const login = fakeServiceLogin(fake);
    try {
      const token = await login.getToken();
      const request = fake.requests.filter((r) => r.path === '/identity/v1/login').at(-1)!;
      expect(request.method).toBe('GET');
      expect(request.headers.authorization).toBe(`Basic ${Buffer.from('me:secret').toString('base64')}`);
      expect(request.status).toBe(200);
      expect((await login.getHeaders()).Authorization).toBe(`Bearer ${token.value}`);
      // Redaction: the manager never prints the token.
      expect(String(token)).not.toContain(token.value);
    } finally {
      await login.close();
    }
  });

  it('streaming_login: refused credentials are a permanent TokenRejectedError', async () => {
    const login = fakeServiceLogin(fake, { password: 'wrong' });
    try {
      await expect(login.getToken()).rejects.toThrow(TokenRejectedError);
      await expect(login.getToken()).rejects.toBeInstanceOf(AuthenticationError);
    } finally {
      await login.close();
    }
  });

  it('streaming_client_credentials: POST /iam/v1.4/token, Basic id:secret, form body; serves the transport', async () => {
    const login = JwtManager.create({
      strategy: 'streaming_client_credentials',
      baseUrl: fake.baseUrl,
      clientId: 'client',
      clientSecret: 'client-secret',
      scope: 'dxl.streaming',
      audience: 'dxl',
      logger: false,
    });
    const transport = new RestStreamingTransport({
      url: parseBrokerUrl(fake.transportUrl),
      secure: false,
      clientId: 'cc-test',
      credentials: jwtCredentials(login),
      transportOptions: { pollIntervalMs: 20 },
      reconnect: resolveBackoff({ initialMs: 20, maxMs: 100 }, 'reconnect'),
      produceTimeoutMs: 2_000,
      logger: quiet,
    });
    try {
      await transport.connect();
      const request = fake.requests.find((r) => r.path === '/iam/v1.4/token')!;
      expect(request.method).toBe('POST');
      expect(request.headers.authorization).toBe(
        `Basic ${Buffer.from('client:client-secret').toString('base64')}`,
      );
      expect(Object.fromEntries(new URLSearchParams(request.body))).toEqual({
        grant_type: 'client_credentials',
        scope: 'dxl.streaming',
        audience: 'dxl',
      });
      const sub = await transport.subscribe({
        dataset: 'cc-ds',
        group: 'cc',
        start: Offset.BEGIN,
        prefetch: 10,
        groupExpiryMs: 60_000,
      });
      await transport.produce('cc-ds', [{ headers: {}, data: Buffer.from('"hello"') }]);
      const got = await sub.fetch(1, 2_000);
      expect(got.map((r) => r.data.toString())).toEqual(['"hello"']);
      await sub.close();
    } finally {
      await transport.close();
      await login.close();
    }
  });
});
