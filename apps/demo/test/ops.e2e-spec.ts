/** @jest-environment ./apps/demo/test/support/jose-environment.js */
jest.mock('jose', () => (globalThis as { __databusJose?: unknown }).__databusJose);

import { Parser } from '@asyncapi/parser';
import { uniqueName } from '@databus/testing';
import { bootDemo, DemoUnderTest } from './support/demo-harness';
import { checkStatsFlow } from './support/stats-flow';

describe('operability endpoints of the sensor hub', () => {
  let demo: DemoUnderTest;

  beforeAll(async () => {
    demo = await bootDemo();
  });

  afterAll(async () => {
    await demo?.stop();
  });

  it('GET /health reports streaming, queue and the token source up, with their handlers', async () => {
    const response = await fetch(`${demo.url}/health`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      status: string;
      details: Record<string, { status: string; handlers?: Array<{ id: string }> }>;
    };
    expect(body.status).toBe('ok');
    expect(body.details.streaming.status).toBe('up');
    expect(body.details.queue.status).toBe('up');
    expect(body.details.token.status).toBe('up');
    expect(body.details.streaming.handlers?.map((h) => h.id)).toContain('ReadingsController.onReading');
  });

  it('GET /metrics counts what flowed through the libs, in Prometheus text format', async () => {
    const sensor = uniqueName('metered');
    await checkStatsFlow(demo.url, sensor, [1, 2, 3]); // posts the three readings, then the stats flow
    const response = await fetch(`${demo.url}/metrics`);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    const sample = (name: string, labels: string) => {
      const line = text.split('\n').find((l) => l.startsWith(name) && l.includes(labels));
      return line ? Number(line.split(' ').pop()) : 0;
    };
    expect(
      sample('databus_messages_consumed_total', 'lib="streaming",dataset="sensor-readings"'),
    ).toBeGreaterThanOrEqual(3);
    expect(sample('databus_messages_consumed_total', 'lib="queue",dataset="stats"')).toBeGreaterThanOrEqual(
      1,
    );
    expect(sample('databus_token_refreshes_total', 'outcome="ok"')).toBeGreaterThanOrEqual(1);
    expect(text).toContain('databus_handler_duration_seconds_bucket');
  });

  // Last: the AsyncAPI parser holds the event loop for seconds, which the server's idle keep-alive sockets
  // do not survive (the next fetch on a reused socket would meet ECONNRESET).
  it('GET /asyncapi.json serves a valid AsyncAPI 3.0 document of what the hub receives and sends', async () => {
    const response = await fetch(`${demo.url}/asyncapi.json`);
    expect(response.status).toBe(200);
    const text = await response.text();
    const diagnostics = await new Parser().validate(text);
    expect(diagnostics.filter((d) => d.severity === 0).map((d) => d.message)).toEqual([]);
    const document = JSON.parse(text);
    expect(Object.keys(document.channels)).toEqual(
      expect.arrayContaining(['dataset.sensor-readings', 'task.stats', 'event.notifications', 'event.logs']),
    );
    expect(document.operations['ReadingsController.onReading']).toMatchObject({ action: 'receive' });
    expect(document.operations['send.task.stats']).toMatchObject({ action: 'send' });
    expect(document.components.schemas.StatsTaskDto.properties.data).toEqual({
      type: 'array',
      items: { type: 'number' },
      minItems: 1,
    });
  });
});
