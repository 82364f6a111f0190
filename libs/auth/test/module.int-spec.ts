import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Injectable, Module } from '@nestjs/common';
import { HttpService } from '@nestjs/axios';
import { Test } from '@nestjs/testing';
import type { INestApplicationContext } from '@nestjs/common';
import { HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { firstValueFrom } from 'rxjs';
import { ConfigurationError } from '@databus/common';
import {
  AuthenticatedHttpModule,
  InjectJwtManager,
  JwtAuthModule,
  JwtHealthIndicator,
  JwtManager,
  oauthBearerProvider,
  TokenRejectedError,
} from '@databus/auth';
import { waitFor } from '@databus/testing';
import { CapturingLogger } from './helpers/capturing-logger';
import { JwtSigner } from './helpers/jwt-signer';
import { createTestPki, TestPki } from './helpers/pki';
import { TokenServer } from './helpers/token-server';

@Injectable()
class TwoSources {
  constructor(
    @InjectJwtManager('gateway') readonly gateway: JwtManager,
    @InjectJwtManager('login') readonly login: JwtManager,
    readonly http: HttpService,
    readonly health: JwtHealthIndicator,
    readonly terminus: HealthCheckService,
  ) {}
}

describe('JwtAuthModule in a Nest application', () => {
  let pki: TestPki;
  let signer: JwtSigner;
  let gateway: TokenServer;
  let server: TokenServer;
  const logger = new CapturingLogger();

  beforeAll(async () => {
    pki = createTestPki();
    signer = JwtSigner.start();
    gateway = await TokenServer.start({ pki, signer, mtls: true });
    server = await TokenServer.start({ pki, signer });
  });
  afterAll(async () => {
    await Promise.all([gateway.close(), server.close()]);
    await signer.close();
    pki.remove();
  });

  const loginOptions = () => ({
    strategy: 'password' as const,
    tokenUrl: `${server.url}/login`,
    username: server.credentials.username,
    password: server.credentials.password,
    tokenField: 'data.jwt',
    tls: { ca: pki.caCert },
    refresh: { backoff: { initialMs: 50, maxMs: 200 } },
  });

  async function twoSourceApp(): Promise<INestApplicationContext> {
    @Module({
      imports: [
        AuthenticatedHttpModule.registerAsync({
          useFactory: () => ({ baseURL: server.url, jwtSource: 'login', tls: { ca: pki.caCert } }),
        }),
        TerminusModule,
      ],
      providers: [TwoSources, JwtHealthIndicator],
    })
    class FeatureModule {}
    const moduleRef = await Test.createTestingModule({
      imports: [
        JwtAuthModule.forRoot({
          name: 'gateway',
          strategy: 'mtls',
          tokenUrl: `${gateway.url}/mtls/token`,
          tls: { cert: pki.clientCert, key: pki.clientKey, ca: pki.caCert },
        }),
        JwtAuthModule.forRootAsync({ name: 'login', useFactory: async () => loginOptions() }),
        FeatureModule,
      ],
    })
      .setLogger(logger)
      .compile();
    return moduleRef.init();
  }

  it('serves several named token sources in one application, each fetched at startup', async () => {
    const before = { gateway: gateway.count('/mtls'), login: server.count('/login') };
    const app = await twoSourceApp();
    const sources = app.get(TwoSources);
    expect(gateway.count('/mtls') - before.gateway).toBe(1);
    expect(server.count('/login') - before.login).toBe(1);
    expect(sources.gateway.current()!.subject).toBe('svc-client');
    expect(sources.login.current()!.subject).toBe('alice');
    const res = await firstValueFrom(sources.http.get('/api/data'));
    expect(res.data.sub).toBe('alice');
    await app.close();
  });

  it('reports health up, then degraded while serving a stale token, then down once it expired', async () => {
    server.ttlSeconds = 3;
    const app = await twoSourceApp();
    const { health, terminus, login } = app.get(TwoSources);
    expect((await health.isHealthy('login', 'login')).login).toMatchObject({ status: 'up', degraded: false });
    await expect(terminus.check([() => health.isHealthy('login', 'login')])).resolves.toMatchObject({
      status: 'ok',
    });
    await server.stop();
    try {
      await waitFor(() => login.status().state === 'stale', {
        timeoutMs: 4_000,
        message: 'a failed refresh',
      });
      const degraded = (await health.isHealthy('login', 'login')).login;
      expect(degraded).toMatchObject({ status: 'up', degraded: true });
      expect(degraded.reasons.join(' ')).toMatch(/failed refresh/);
      await waitFor(() => login.status().state === 'expired', { timeoutMs: 4_000, message: 'expiry' });
      expect((await health.isHealthy('login', 'login')).login).toMatchObject({ status: 'down' });
      await expect(terminus.check([() => health.isHealthy('login', 'login')])).rejects.toMatchObject({
        status: 503,
      });
    } finally {
      await server.restart();
      server.ttlSeconds = 60;
      await app.close();
    }
  }, 15_000);

  it('fails the application start with a ConfigurationError naming the option', async () => {
    const build = Test.createTestingModule({
      imports: [JwtAuthModule.forRoot({ name: 'login', ...loginOptions(), username: '' })],
    })
      .setLogger(logger)
      .compile();
    await expect(build).rejects.toMatchObject({
      constructor: ConfigurationError,
      option: 'JwtAuthModule[login].username',
    });
  });

  it('fails the start on refused credentials with failOnStartup, and starts anyway without it', async () => {
    const refused = { ...loginOptions(), password: 'wrong' };
    const strict = await Test.createTestingModule({ imports: [JwtAuthModule.forRoot(refused)] })
      .setLogger(logger)
      .compile();
    await expect(strict.init()).rejects.toBeInstanceOf(TokenRejectedError);
    // Nest's close() re-reports the failed initialisation; the manager closed itself already.
    await strict.close().catch(() => undefined);
    expect(strict.get(JwtManager).status().state).toBe('closed');
    const lenient = await Test.createTestingModule({
      imports: [JwtAuthModule.forRoot({ ...refused, failOnStartup: false })],
    })
      .setLogger(logger)
      .compile();
    const app = await lenient.init();
    expect(app.get(JwtManager).status()).toMatchObject({ state: 'empty', lastError: { permanent: true } });
    await app.close();
  });

  it('feeds broker credentials from the cached token, with principal changes flagged', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [JwtAuthModule.forRoot(loginOptions())] })
      .setLogger(logger)
      .compile();
    const app = await moduleRef.init();
    const jwt = app.get(JwtManager);
    const credentials = jwt.asCredentialsProvider({ username: 'ignored-by-rabbitmq' });
    const current = credentials.current()!;
    expect(current).toMatchObject({
      username: 'ignored-by-rabbitmq',
      principal: 'alice',
      password: jwt.current()!.value,
    });
    expect(JSON.stringify(current)).not.toContain(jwt.current()!.value);
    await expect(credentials.get()).resolves.toMatchObject({ token: jwt.current()!.value });
    const refreshes: boolean[] = [];
    credentials.onRefresh((_c, info) => refreshes.push(info.principalChanged));
    const before = server.count('/login');
    const provider = oauthBearerProvider(jwt);
    const answers = await Promise.all(Array.from({ length: 100 }, () => provider()));
    expect(new Set(answers.map((a) => a.value))).toEqual(new Set([jwt.current()!.value]));
    expect(server.count('/login')).toBe(before);
    await jwt.forceRefresh();
    expect(refreshes).toEqual([false]);
    await app.close();
  });

  it('holds no event-loop reference while idle (timers unref()ed) nor after app.close()', async () => {
    const baseline = countHandles();
    const app = await twoSourceApp();
    await firstValueFrom(app.get(TwoSources).http.get('/api/data'));
    await waitFor(() => sameHandles(countHandles(), baseline), { timeoutMs: 3_000, message: 'idle handles' });
    await app.close();
    await waitFor(() => sameHandles(countHandles(), baseline), {
      timeoutMs: 3_000,
      message: 'handles to close',
    });
  });

  it('lets the process exit by itself after app.close()', async () => {
    const child = spawn(
      process.execPath,
      ['-r', join(__dirname, '../../../test/ts-register.js'), join(__dirname, 'fixtures/exit-app.ts')],
      {
        env: {
          ...process.env,
          BASE_URL: server.url,
          CA_FILE: pki.caCert,
          USERNAME: server.credentials.username,
          PASSWORD: server.credentials.password,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = await new Promise<number | null | 'hung'>((resolve) => {
      // Compiling the fixture on the fly takes seconds on a loaded machine; an app kept alive by a handle
      // never exits, so the bound only has to be well above the start-up time.
      const guard = setTimeout(() => {
        child.kill('SIGKILL');
        resolve('hung');
      }, 45_000);
      child.on('exit', (code) => {
        clearTimeout(guard);
        resolve(code);
      });
    });
    expect({ exited, output: output.trim() }).toEqual({ exited: 0, output: 'closed 200' });
  }, 60_000);

  it('never logs a token or the password', () => {
    const text = logger.text();
    expect(logger.lines.length).toBeGreaterThan(0);
    for (const token of [...server.issued, ...gateway.issued]) expect(text).not.toContain(token);
    expect(text).not.toContain(server.credentials.password);
  });
});

function countHandles(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

function sameHandles(now: Record<string, number>, baseline: Record<string, number>): boolean {
  return ['Timeout', 'TCPSocketWrap', 'TLSSocketWrap'].every((k) => (now[k] ?? 0) <= (baseline[k] ?? 0));
}
