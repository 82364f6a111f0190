import { inspect } from 'node:util';
import { Injectable, Module } from '@nestjs/common';
import { HttpService } from '@nestjs/axios';
import { Test } from '@nestjs/testing';
import type { INestApplicationContext } from '@nestjs/common';
import axios from 'axios';
import { firstValueFrom } from 'rxjs';
import { RequestTimeoutError } from '@databus/common';
import {
  attachJwtInterceptor,
  AuthenticatedHttpModule,
  HttpStatusError,
  JwtAuthModule,
  JwtManager,
  HttpNetworkError,
} from '@databus/auth';
import { CapturingLogger } from './helpers/capturing-logger';
import { JwtSigner } from './helpers/jwt-signer';
import { createTestPki, TestPki } from './helpers/pki';
import { TokenServer } from './helpers/token-server';

@Injectable()
class ApiClient {
  constructor(readonly http: HttpService) {}
  get(path: string) {
    return firstValueFrom(this.http.get(path));
  }
}

describe('AuthenticatedHttpModule and the JWT interceptor against a real HTTPS API', () => {
  let pki: TestPki;
  let signer: JwtSigner;
  let server: TokenServer;
  let other: TokenServer;
  let app: INestApplicationContext;
  let api: ApiClient;
  let jwt: JwtManager;
  const logger = new CapturingLogger();

  beforeAll(async () => {
    pki = createTestPki();
    signer = JwtSigner.start();
    server = await TokenServer.start({ pki, signer });
    other = await TokenServer.start({ pki, signer });
    @Module({
      imports: [
        AuthenticatedHttpModule.register({ baseURL: server.url, tls: { ca: pki.caCert }, timeoutMs: 5_000 }),
      ],
      providers: [ApiClient],
    })
    class ApiModule {}
    const moduleRef = await Test.createTestingModule({
      imports: [
        JwtAuthModule.forRoot({
          strategy: 'password',
          tokenUrl: `${server.url}/login`,
          username: server.credentials.username,
          password: server.credentials.password,
          tokenField: 'data.jwt',
          tls: { ca: pki.caCert },
          refresh: { forcedMinIntervalMs: 100 },
        }),
        ApiModule,
      ],
    })
      .setLogger(logger)
      .compile();
    app = await moduleRef.init();
    api = app.get(ApiClient);
    jwt = app.get(JwtManager);
  });
  afterAll(async () => {
    await app.close();
    await Promise.all([server.close(), other.close()]);
    await signer.close();
    pki.remove();
  });
  beforeEach(async () => {
    server.apiStatuses.length = 0;
    server.apiDelayMs = 0;
    // Let the forced-refresh rate limit (100 ms here) pass between tests.
    await new Promise((r) => setTimeout(r, 120));
  });

  const counts = () => ({ login: server.count('/login'), api: server.count('/api/') });

  it('attaches the bearer token to requests to its base URL', async () => {
    const res = await api.get('/api/data');
    expect(res.data).toEqual({ ok: true, sub: 'alice' });
    const seen = server.seen.at(-1)!;
    expect(seen.authorization).toBe(`Bearer ${jwt.current()!.value}`);
  });

  it('uses JSON and a keep-alive agent with the custom CA', () => {
    expect(api.http.axiosRef.defaults.headers.Accept).toBe('application/json');
    expect(api.http.axiosRef.defaults.httpsAgent.keepAlive).toBe(true);
  });

  it('after one 401 refreshes once and replays the request once', async () => {
    const before = counts();
    const stale = jwt.current()!;
    server.revoked.add(stale.value);
    const res = await api.get('/api/data');
    expect(res.status).toBe(200);
    expect(counts()).toEqual({ login: before.login + 1, api: before.api + 2 });
    expect(jwt.current()!.equals(stale)).toBe(false);
  });

  it('after a second 401 gives up with a typed HttpStatusError instead of looping', async () => {
    const before = counts();
    server.apiStatuses.push(401, 401, 401, 401);
    const error = await api.get('/api/data').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpStatusError);
    expect(error).toMatchObject({ status: 401, retriable: false });
    expect(counts().api - before.api).toBe(2);
    expect(counts().login - before.login).toBe(1);
  });

  it('coalesces the refreshes of concurrent 401s into one token request', async () => {
    const stale = jwt.current()!;
    server.revoked.add(stale.value);
    const before = counts();
    const results = await Promise.all(Array.from({ length: 20 }, () => api.get('/api/data')));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(counts().login - before.login).toBe(1);
  });

  it('never retries a 403', async () => {
    const before = counts();
    server.apiStatuses.push(403);
    await expect(api.get('/api/data')).rejects.toMatchObject({ constructor: HttpStatusError, status: 403 });
    expect(counts()).toEqual({ login: before.login, api: before.api + 1 });
  });

  it('maps failures without an answer to HttpNetworkError and slow answers to RequestTimeoutError', async () => {
    const down = axios.create({ baseURL: 'https://127.0.0.1:1', timeout: 500 });
    attachJwtInterceptor(down, jwt);
    await expect(down.get('/x')).rejects.toBeInstanceOf(HttpNetworkError);
    server.apiDelayMs = 300;
    await expect(api.http.axiosRef.get('/api/data', { timeout: 50 })).rejects.toBeInstanceOf(
      RequestTimeoutError,
    );
  });

  it('attaches the token only to the configured origins, once per axios instance', async () => {
    const instance = axios.create({ httpsAgent: api.http.axiosRef.defaults.httpsAgent });
    const handle = attachJwtInterceptor(instance, jwt, { origins: [server.url] });
    expect(attachJwtInterceptor(instance, jwt, { origins: [server.url] })).toBe(handle);
    await instance.get(`${other.url}/public/elsewhere`);
    expect(other.seen.at(-1)!.authorization).toBeUndefined();
    await instance.get(`${server.url}/public/here`);
    expect(server.seen.at(-1)!.authorization).toMatch(/^Bearer /);
    await instance.get(`${server.url}/public/explicit`, { headers: { Authorization: 'Basic abc' } });
    expect(server.seen.at(-1)!.authorization).toBe('Basic abc');
    await instance.get(`${server.url}/public/skip`, { skipAuth: true });
    expect(server.seen.at(-1)!.authorization).toBeUndefined();
    handle.detach();
    await instance.get(`${server.url}/public/detached`);
    expect(server.seen.at(-1)!.authorization).toBeUndefined();
  });

  it('puts no token in the errors it throws, however they are printed', async () => {
    server.apiStatuses.push(500);
    const error = await api.get('/api/data').catch((e: unknown) => e);
    expect(error).toMatchObject({ constructor: HttpStatusError, status: 500, retriable: true });
    const token = jwt.current()!.value;
    for (const text of [
      inspect(error, { depth: 10 }),
      JSON.stringify(error),
      String(error),
      (error as Error).stack,
    ])
      expect(text).not.toContain(token);
  });

  it('never logs a token', () => {
    const text = logger.text();
    expect(logger.lines.length).toBeGreaterThan(0);
    for (const token of server.issued) expect(text).not.toContain(token);
  });
});
