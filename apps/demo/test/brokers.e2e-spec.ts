/** @jest-environment ./apps/demo/test/support/jose-environment.js */
jest.mock('jose', () => (globalThis as { __databusJose?: unknown }).__databusJose);

import { JwtManager } from '@databus/auth';
import { STREAMING_MODULE_OPTIONS } from '@databus/streaming';
import { brokerUrl, describeWithBroker, uniqueName } from '@databus/testing';
import { bootDemo, DemoUnderTest } from './support/demo-harness';
import { checkStatsFlow } from './support/stats-flow';

jest.setTimeout(60_000);

/** The same flow as on memory://, on the loopback brokers: the demo runs on them unchanged. */
function brokerSuite(env: () => Record<string, string>): void {
  let demo: DemoUnderTest;

  beforeAll(async () => {
    demo = await bootDemo({ AUTH_TOKEN_TTL_SECONDS: '2', ...env() });
  });

  afterAll(async () => {
    await demo?.stop();
  });

  it('readings flow in, and stats go 202 → notification → 200 with the right numbers', async () => {
    await checkStatsFlow(demo.url, uniqueName('sensor'), [10, 20, 30, 40]);
  });

  it('keeps working after the first 2 s token expired (refreshed in the background)', async () => {
    const first = await demo.app.get(JwtManager).getToken();
    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, (first.expiresAt ?? 0) - Date.now()) + 200),
    );
    await checkStatsFlow(demo.url, uniqueName('sensor'), [-1, 1]);
    expect(demo.issuer.issued).toBeGreaterThanOrEqual(2);
  });
}

// One app at a time unless their STATS_QUEUE differs: apps sharing the stats queue compete for its tasks (that
// is how workers scale out), and each PUTs to its own API, whose in-memory store the other app cannot see.
describeWithBroker('amqp', 'sensor hub on RabbitMQ', () => {
  describe('two hubs on one RabbitMQ with their own STATS_QUEUE and exchanges', () => {
    const demos: DemoUnderTest[] = [];

    afterAll(async () => {
      await Promise.all(demos.map((d) => d.stop()));
    });

    it('each hub takes only its own tasks and notifications', async () => {
      const run = uniqueName('hubs');
      for (const hub of ['a', 'b'])
        demos.push(
          await bootDemo({
            QUEUE_URL: brokerUrl('amqp'),
            STATS_QUEUE: `${run}-${hub}.stats`,
            NOTIFICATIONS_EXCHANGE: `${run}-${hub}.notifications`,
            LOGS_EXCHANGE: `${run}-${hub}.logs`,
            STREAMING_CLIENT_ID: `${run}-${hub}`,
          }),
        );
      expect(demos.map((d) => d.app.get(STREAMING_MODULE_OPTIONS).clientId)).toEqual([
        `${run}-a`,
        `${run}-b`,
      ]);
      // With the same names each hub's worker would take about half of the other's tasks and PUT them to its
      // own API, and the other hub would wait for stats that never come.
      // One task at a time, so that a shared queue would hand consecutive tasks to both workers in turn.
      for (const demo of demos)
        for (let i = 0; i < 2; i++) await checkStatsFlow(demo.url, uniqueName('sensor'), [i, i + 1]);
    });
  });

  describe('task queue and streams on RabbitMQ', () => {
    brokerSuite(() => ({ QUEUE_URL: brokerUrl('amqp'), STREAMING_URL: brokerUrl('amqp') }));
  });

  describeWithBroker('nats', 'sensor hub with readings on NATS JetStream and tasks on RabbitMQ', () => {
    brokerSuite(() => ({ QUEUE_URL: brokerUrl('amqp'), STREAMING_URL: brokerUrl('nats') }));
  });

  describeWithBroker('mqtt', 'sensor hub with readings on MQTT and tasks on RabbitMQ', () => {
    brokerSuite(() => ({ QUEUE_URL: brokerUrl('amqp'), STREAMING_URL: brokerUrl('mqtt') }));
  });

  describeWithBroker('kafka', 'sensor hub with readings on Kafka and tasks on RabbitMQ', () => {
    brokerSuite(() => ({ QUEUE_URL: brokerUrl('amqp'), STREAMING_URL: brokerUrl('kafka') }));
  });
});
