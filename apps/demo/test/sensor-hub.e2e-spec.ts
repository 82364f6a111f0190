/** @jest-environment ./apps/demo/test/support/jose-environment.js */
jest.mock('jose', () => (globalThis as { __databusJose?: unknown }).__databusJose);

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { generateKeyPair, SignJWT } from 'jose';
import { JwtManager } from '@databus/auth';
import { uniqueName, waitFor } from '@databus/testing';
import { ReadingsStore } from '../src/sensors/readings.store';
import { StatsStore } from '../src/sensors/stats.store';
import { bootDemo, DemoUnderTest, postReadings, waitForReadings } from './support/demo-harness';
import { checkStatsFlow } from './support/stats-flow';

describe('sensor hub on memory:// (embedded default)', () => {
  let demo: DemoUnderTest;

  beforeAll(async () => {
    demo = await bootDemo();
  });

  afterAll(async () => {
    await demo?.stop();
  });

  it('stores readings posted to the dataset and lists the sensor', async () => {
    const sensor = uniqueName('probe');
    await postReadings(demo.url, sensor, [1.5, 2.5]);
    await waitForReadings(demo.url, sensor, 2);
    const list = (await (await fetch(`${demo.url}/api/sensors`)).json()) as Array<Record<string, unknown>>;
    expect(list.find((s) => s.sensor === sensor)).toMatchObject({ count: 2, last: { value: 2.5 } });
  });

  it('answers a POST once the reading is stored: a GET right after it never answers 404', async () => {
    // Five new sensors, as the README's flow goes: POST a reading, then GET its stats at once.
    for (let i = 0; i < 5; i++) {
      const sensor = uniqueName(`race-${i}`);
      const posted = await fetch(`${demo.url}/api/sensors/${sensor}/readings`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ value: 20 + i }),
      });
      expect(posted.status).toBe(202);
      expect(await posted.json()).toEqual({
        dataset: 'sensor-readings',
        sequence: expect.any(Number),
        messageId: expect.any(String),
      });
      const stats = await fetch(`${demo.url}/api/sensors/${sensor}/stats`);
      expect(stats.status).toBe(202);
      expect(await stats.json()).toEqual({ status: 'pending', sensor, count: 1, queued: true });
    }
  });

  it('refuses an invalid reading with 400 before it reaches the dataset', async () => {
    const bad = await fetch(`${demo.url}/api/sensors/probe/readings`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ value: 'hot' }),
    });
    expect(bad.status).toBe(400);
    const badId = await fetch(`${demo.url}/api/sensors/a%20b/readings`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ value: 1 }),
    });
    expect(badId.status).toBe(400);
  });

  it('serves the page icon, and sends /favicon.ico to it instead of a 404', async () => {
    const ico = await fetch(`${demo.url}/favicon.ico`, { redirect: 'manual' });
    expect(ico.status).toBe(301);
    expect(ico.headers.get('location')).toBe('/favicon.svg');
    const svg = await fetch(`${demo.url}/favicon.svg`);
    expect(svg.status).toBe(200);
    expect(svg.headers.get('content-type')).toContain('image/svg+xml');
    expect(await svg.text()).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  });

  it('answers 404 for a sensor without readings', async () => {
    expect((await fetch(`${demo.url}/api/sensors/${uniqueName('none')}/stats`)).status).toBe(404);
  });

  it('computes stats: 202, the notification, then 200 with the right numbers', async () => {
    await checkStatsFlow(demo.url, uniqueName('sensor'), [1, 2, 3, 4, 10]);
  });

  it('DELETE clears the stats so that they are computed again from the newer readings', async () => {
    const sensor = uniqueName('sensor');
    await checkStatsFlow(demo.url, sensor, [5, 5]);
    await postReadings(demo.url, sensor, [8]);
    await waitForReadings(demo.url, sensor, 3);
    expect((await fetch(`${demo.url}/api/sensors/${sensor}/stats`, { method: 'DELETE' })).status).toBe(204);
    const first = await fetch(`${demo.url}/api/sensors/${sensor}/stats`);
    expect(first.status).toBe(202);
    const stats = await waitFor(
      async () => {
        const response = await fetch(`${demo.url}/api/sensors/${sensor}/stats`);
        return response.status === 200 ? ((await response.json()) as Record<string, number>) : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 50, message: 'recomputed stats' },
    );
    expect(stats).toMatchObject({ count: 3, mean: 6, min: 5, max: 8 });
  });

  describe('PUT /api/sensors/:id/stats checks the bearer JWT', () => {
    const stats = { count: 1, mean: 1, min: 1, max: 1, stddev: 0, generated: new Date().toISOString() };
    const put = (token?: string) =>
      fetch(`${demo.url}/api/sensors/jwt-check/stats`, {
        method: 'PUT',
        headers: {
          'Content-Type': 'application/json',
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(stats),
      });
    const reasonOf = async (response: Response) => ((await response.json()) as { message: string }).message;

    it('accepts a token of the issuer', async () => {
      expect((await put(await demo.issuer.sign('tester'))).status).toBe(204);
    });

    it('rejects a missing token with 401 and a Bearer challenge', async () => {
      const response = await put();
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer /);
    });

    it('rejects a token whose signature was tampered with', async () => {
      const [header, payload, signature] = (await demo.issuer.sign('tester')).split('.');
      const flipped = signature[10] === 'A' ? 'B' : 'A';
      const tampered = `${header}.${payload}.${signature.slice(0, 10)}${flipped}${signature.slice(11)}`;
      const response = await put(tampered);
      expect(response.status).toBe(401);
      expect(await reasonOf(response)).toContain('bad signature');
      expect(await reasonOf(await put(tampered))).not.toContain(tampered);
    });

    it('rejects a token whose claims were changed (signature no longer matches)', async () => {
      const [header, payload, signature] = (await demo.issuer.sign('tester')).split('.');
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
      const forged = Buffer.from(JSON.stringify({ ...claims, sub: 'admin' })).toString('base64url');
      expect((await put(`${header}.${forged}.${signature}`)).status).toBe(401);
    });

    it('rejects an expired token', async () => {
      const response = await put(await demo.issuer.sign('tester', -30));
      expect(response.status).toBe(401);
      expect(await reasonOf(response)).toContain('expired');
    });

    it('rejects a token signed by another key, and one for another audience', async () => {
      const { privateKey } = await generateKeyPair('ES256');
      const sign = (audience: string) =>
        new SignJWT({})
          .setProtectedHeader({ alg: 'ES256' })
          .setIssuer(demo.config.auth.issuer)
          .setAudience(audience)
          .setSubject('intruder')
          .setExpirationTime('1m')
          .sign(privateKey);
      expect((await put(await sign(demo.config.auth.audience))).status).toBe(401);
      expect((await put(await sign('another-api'))).status).toBe(401);
    });

    it('rejects a token that is not a JWT', async () => {
      expect((await put('not-a-jwt')).status).toBe(401);
    });
  });
});

describe('sensor hub with 2 s tokens', () => {
  let demo: DemoUnderTest;

  beforeAll(async () => {
    demo = await bootDemo({ AUTH_TOKEN_TTL_SECONDS: '2' });
  });

  afterAll(async () => {
    await demo?.stop();
  });

  it('refreshes the worker token during the run and keeps PUTting with a valid one', async () => {
    const manager = demo.app.get(JwtManager);
    const first = await manager.getToken();
    await checkStatsFlow(demo.url, uniqueName('sensor'), [1, 2]);
    // Wait past the first token's expiry: the manager must have replaced it in the background.
    await waitFor(() => Date.now() > (first.expiresAt ?? 0) + 200, { timeoutMs: 5_000, message: 'expiry' });
    const later = await manager.getToken();
    expect(later.fingerprint).not.toBe(first.fingerprint);
    expect(later.expiresAt ?? 0).toBeGreaterThan(Date.now());
    expect(demo.issuer.issued).toBeGreaterThanOrEqual(2);
    // A PUT after the first token expired still passes the API's check.
    await checkStatsFlow(demo.url, uniqueName('sensor'), [3, 4, 5]);
  });
});

describe('graceful shutdown: nothing is lost', () => {
  it('readings a closing app did not handle yet are handled by the next start of the same group', async () => {
    const streaming = `memory://${uniqueName('restart')}`;
    const group = uniqueName('sensor-hub');
    const sensor = uniqueName('sensor');
    const values = Array.from({ length: 30 }, (_, i) => i);
    const first = await bootDemo({ STREAMING_URL: streaming, STREAMING_GROUP: group });
    let before: number[];
    try {
      await postReadings(first.url, sensor, values);
      await first.close(); // at once: some readings may still wait in the dataset
      before = first.app.get(ReadingsStore).values(sensor);
    } finally {
      await first.stop();
    }
    const second = await bootDemo({ STREAMING_URL: streaming, STREAMING_GROUP: group });
    try {
      const after = second.app.get(ReadingsStore);
      await waitFor(() => new Set([...before, ...after.values(sensor)]).size === values.length, {
        timeoutMs: 15_000,
        message: 'every reading handled by one of the two starts',
      });
      expect(new Set([...before, ...after.values(sensor)])).toEqual(new Set(values));
    } finally {
      await second.stop();
    }
  });

  it('a stats task in flight finishes (PUT and all) before the app closes', async () => {
    // A proxy in front of the API holds the worker's PUT for a moment, so close() starts mid-task.
    let target = '';
    let putSeen!: () => void;
    const putStarted = new Promise<void>((resolve) => (putSeen = resolve));
    const proxy = http.createServer((req, res) => {
      if (req.method === 'PUT') putSeen();
      const forward = () => {
        const upstream = http.request(
          `${target}${req.url}`,
          { method: req.method, headers: req.headers },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
        );
        upstream.on('error', () => res.destroy());
        req.pipe(upstream);
      };
      setTimeout(forward, req.method === 'PUT' ? 300 : 0);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const demo = await bootDemo({
      API_BASE_URL: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    });
    try {
      target = demo.url;
      const sensor = uniqueName('sensor');
      await postReadings(demo.url, sensor, [7, 9]);
      await waitForReadings(demo.url, sensor, 2);
      expect((await fetch(`${demo.url}/api/sensors/${sensor}/stats`)).status).toBe(202);
      await putStarted;
      await demo.close();
      expect(demo.app.get(StatsStore).get(sensor)).toMatchObject({ count: 2, mean: 8, min: 7, max: 9 });
    } finally {
      await demo.stop();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });
});

describe('sensor hub with the mTLS token issuer', () => {
  let demo: DemoUnderTest;

  beforeAll(async () => {
    demo = await bootDemo({ AUTH_STRATEGY: 'mtls' });
  });

  afterAll(async () => {
    await demo?.stop();
  });

  it('gets its tokens with the generated client certificate and completes the stats flow', async () => {
    expect(demo.issuer.tokenUrl).toMatch(/^https:/);
    await checkStatsFlow(demo.url, uniqueName('sensor'), [2, 4, 6]);
    expect((await demo.app.get(JwtManager).getToken()).subject).toBe('sensor-hub-worker');
  });

  it('refuses a token request without a client certificate (the server itself is trusted)', async () => {
    const issued = demo.issuer.issued;
    const ca = readFileSync(join(demo.config.dataDir, 'pki', 'ca.pem'));
    const outcome = await new Promise<string>((resolve) => {
      const request = https.get(demo.issuer.tokenUrl, { ca, agent: false }, (response) => {
        response.resume();
        resolve(`status ${response.statusCode}`);
      });
      request.on('error', (error: NodeJS.ErrnoException) => resolve(`error ${error.code ?? error.message}`));
    });
    expect(outcome).toMatch(/^error /);
    expect(outcome).not.toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY|CERT_HAS_EXPIRED|ALTNAME/);
    expect(demo.issuer.issued).toBe(issued);
  });
});

describe('configuration from an env file', () => {
  it('reads the demo variables from the file through @nestjs/config', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'databus-demo-env-'));
    const file = join(dir, '.env');
    writeFileSync(
      file,
      'AUTH_TOKEN_TTL_SECONDS=7\nAUTH_AUDIENCE=from-dotenv-api\n# a comment\nSIMULATOR_SENSORS=dotenv-1\n',
    );
    const demo = await bootDemo({}, ['error'], file);
    try {
      expect(demo.config.auth).toMatchObject({ tokenTtlSeconds: 7, audience: 'from-dotenv-api' });
      expect(demo.config.simulator.sensors).toEqual(['dotenv-1']);
      const token = await demo.app.get(JwtManager).getToken();
      expect(token.claims.aud).toBe('from-dotenv-api');
      await checkStatsFlow(demo.url, uniqueName('sensor'), [1, 5]);
    } finally {
      await demo.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
