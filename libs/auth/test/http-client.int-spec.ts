import { once } from 'node:events';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { Injectable, Module } from '@nestjs/common';
import type { INestApplicationContext } from '@nestjs/common';
import { HttpService } from '@nestjs/axios';
import { Test } from '@nestjs/testing';
import { firstValueFrom } from 'rxjs';
import { ConfigurationError, RequestTimeoutError } from '@databus/common';
import { HttpClient, HttpClientModule, HttpNetworkError, HttpStatusError } from '@databus/auth';
import { waitFor } from '@databus/testing';
import { createTestPki, TestPki } from './helpers/pki';

/** A local HTTPS API (certificate from the test CA) that counts its TCP connections. */
class Api {
  connections = 0;
  readonly seen: Array<{ method: string; url: string; headers: Record<string, unknown> }> = [];
  private constructor(readonly server: https.Server) {}

  static async start(pki: TestPki): Promise<Api> {
    const server = https.createServer({ cert: pki.read(pki.serverCert), key: pki.read(pki.serverKey) });
    const api = new Api(server);
    server.on('connection', () => api.connections++);
    server.on('request', (req, res) => {
      api.seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        if (req.url === '/api/slow') return void setTimeout(() => res.end('{}'), 10_000).unref();
        if (req.url === '/api/missing') {
          res.writeHead(404, { 'content-type': 'application/json' });
          return void res.end('{"error":"no such sensor","password":"hunter2"}');
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ path: req.url, echo: body ? JSON.parse(body) : null }));
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return api;
  }

  get url(): string {
    return `https://127.0.0.1:${(this.server.address() as AddressInfo).port}/api`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

@Injectable()
class SensorsClient {
  constructor(readonly http: HttpService) {}
  async get<T>(path: string): Promise<T> {
    return (await firstValueFrom(this.http.get<T>(path))).data;
  }
}

async function startApp(options: Parameters<typeof HttpClientModule.register>[0]) {
  @Module({ imports: [HttpClientModule.register(options)], providers: [SensorsClient] })
  class SensorsModule {}
  const moduleRef = await Test.createTestingModule({ imports: [SensorsModule] }).compile();
  return moduleRef.init();
}

describe('HttpClientModule: a plain HTTP client (no token source) against a local HTTPS API', () => {
  let pki: TestPki;
  let api: Api;
  let app: INestApplicationContext;
  let sensors: SensorsClient;

  beforeAll(async () => {
    pki = createTestPki();
    api = await Api.start(pki);
    app = await startApp({
      baseURL: api.url,
      tls: { ca: pki.caCert },
      // Long enough for a TLS round trip on a loaded machine, far shorter than /api/slow's 10 s.
      timeoutMs: 2_000,
      headers: { 'x-client': 'sensor-hub' },
    });
    sensors = app.get(SensorsClient);
  });
  afterAll(async () => {
    await app?.close();
    await api?.close();
    pki?.remove();
  });

  it('resolves relative URLs against the base URL, trusts the private CA and sends JSON', async () => {
    await expect(sensors.get('/sensors/a')).resolves.toEqual({ path: '/api/sensors/a', echo: null });
    const posted = await app.get(HttpClient).axios.post('sensors', { value: 1 });
    expect(posted.data).toEqual({ path: '/api/sensors', echo: { value: 1 } });
    const last = api.seen[api.seen.length - 1];
    expect(last.headers['x-client']).toBe('sensor-hub');
    expect(last.headers.accept).toContain('application/json');
    expect(last.headers.authorization).toBeUndefined();
  });

  it('keeps the connection alive between requests', async () => {
    await sensors.get('/a');
    const before = api.connections;
    for (let i = 0; i < 5; i++) await sensors.get(`/b${i}`);
    expect(api.connections).toBe(before);
  });

  it('without keepAlive opens a connection per request', async () => {
    const plain = await startApp({ baseURL: api.url, tls: { ca: pki.caCert }, keepAlive: false });
    try {
      const client = plain.get(SensorsClient);
      await client.get('/a');
      const before = api.connections;
      for (let i = 0; i < 3; i++) await client.get(`/c${i}`);
      expect(api.connections).toBe(before + 3);
    } finally {
      await plain.close();
    }
  });

  it('fails typed: a status is HttpStatusError (secrets masked), a slow answer RequestTimeoutError', async () => {
    const missing = sensors.get('/missing');
    await expect(missing).rejects.toBeInstanceOf(HttpStatusError);
    const error = (await missing.catch((e: unknown) => e)) as HttpStatusError;
    expect(error.status).toBe(404);
    expect(error.retriable).toBe(false);
    expect(JSON.stringify(error.body)).not.toContain('hunter2');
    expect((error.body as { error: string }).error).toBe('no such sensor');
    await expect(sensors.get('/slow')).rejects.toBeInstanceOf(RequestTimeoutError);
  });

  it('refuses the server certificate without the CA (verification is on by default)', async () => {
    const untrusting = await startApp({ baseURL: api.url });
    try {
      const refused = untrusting.get(SensorsClient).get('/a');
      await expect(refused).rejects.toBeInstanceOf(HttpNetworkError);
      await expect(refused).rejects.toThrow(
        /GET https:\/\/127\.0\.0\.1:\d+\/api\/a failed without an answer/,
      );
    } finally {
      await untrusting.close();
    }
  });

  it('refuses unknown options and a relative base URL at startup, naming the option', async () => {
    const typo = startApp({ baseURL: api.url, timeoutMS: 5 } as never);
    await expect(typo).rejects.toBeInstanceOf(ConfigurationError);
    await expect(typo).rejects.toThrow(/HttpClientModule\.timeoutMS.*"timeoutMs" \(a typo\?\)/);
    await expect(startApp({ baseURL: '/api' })).rejects.toThrow(/HttpClientModule\.baseURL/);
  });

  it('closes its sockets when the application closes', async () => {
    const own = await startApp({ baseURL: api.url, tls: { ca: pki.caCert } });
    await own.get(SensorsClient).get('/a');
    const open = await new Promise<number>((resolve) => api.server.getConnections((_, n) => resolve(n)));
    await own.close();
    const connections = () =>
      new Promise<number>((resolve) => api.server.getConnections((_, n) => resolve(n)));
    let now = open;
    await waitFor(async () => ((now = await connections()) < open ? true : undefined), {
      timeoutMs: 5_000,
      message: 'the closed client to release its socket',
    });
    expect(now).toBe(open - 1);
  });
});
