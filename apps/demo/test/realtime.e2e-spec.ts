/** @jest-environment ./apps/demo/test/support/jose-environment.js */
jest.mock('jose', () => (globalThis as { __databusJose?: unknown }).__databusJose);

import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { uniqueName, waitFor } from '@databus/testing';
import { bootDemo, DemoUnderTest } from './support/demo-harness';
import { checkStatsFlow } from './support/stats-flow';

/** A stand-in for Centrifugo's server HTTP API that records what it is asked to publish. */
function fakeCentrifugo(): {
  server: http.Server;
  calls: Array<{ path: string; key?: string; body: unknown }>;
} {
  const calls: Array<{ path: string; key?: string; body: unknown }> = [];
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      calls.push({
        path: req.url ?? '',
        key: req.headers['x-api-key'] as string | undefined,
        body: JSON.parse(text || '{}'),
      });
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ result: {} }));
    });
  });
  return { server, calls };
}

describe('sensor hub with CENTRIFUGO_API_URL set', () => {
  const centrifugo = fakeCentrifugo();
  let demo: DemoUnderTest;

  beforeAll(async () => {
    await new Promise<void>((resolve) => centrifugo.server.listen(0, '127.0.0.1', resolve));
    const { port } = centrifugo.server.address() as AddressInfo;
    demo = await bootDemo({
      CENTRIFUGO_API_URL: `http://127.0.0.1:${port}/api`,
      CENTRIFUGO_API_KEY: 'test-api-key',
      CENTRIFUGO_CHANNEL: 'sensor-notifications',
    });
  });

  afterAll(async () => {
    await demo?.stop();
    await new Promise((resolve) => centrifugo.server.close(resolve));
  });

  it('also pushes each notification to the Centrifugo channel', async () => {
    const sensor = uniqueName('sensor');
    await checkStatsFlow(demo.url, sensor, [1, 3]);
    const call = await waitFor(() => centrifugo.calls.find((c) => JSON.stringify(c.body).includes(sensor)), {
      timeoutMs: 10_000,
      message: 'the Centrifugo publish',
    });
    expect(call.path).toBe('/api/publish');
    expect(call.key).toBe('test-api-key');
    expect(call.body).toMatchObject({
      channel: 'sensor-notifications',
      data: { task: 'statistics', sensor },
    });
  });
});
