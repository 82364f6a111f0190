import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { brokerUrl, describeWithBroker, waitFor } from '@databus/testing';
import { describeConformance } from '../conformance';

const run = promisify(execFile);

/** The brokers of `KAFKA_BROKERS`, for a plain kafkajs admin. */
const brokers = (): string[] =>
  brokerUrl('kafka')
    .replace(/^kafka(\+ssl)?:\/\//, '')
    .split(',');

/** Waits until the broker answers metadata requests again. */
async function waitForKafka(): Promise<void> {
  const kafka = new Kafka({ brokers: brokers(), logLevel: logLevel.NOTHING, retry: { retries: 0 } });
  await waitFor(
    async () => {
      const admin = kafka.admin();
      try {
        await admin.connect();
        await admin.listTopics();
        return true;
      } catch {
        return false;
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    },
    { timeoutMs: 180_000, intervalMs: 1000, message: 'Kafka to answer again' },
  );
}

/**
 * Restarts the broker with `KAFKA_RESTART_CMD` (e.g. `docker compose restart kafka`) under the shared lock,
 * and always waits until it answers again. Without the variable the suite skips its restart test.
 */
async function restartKafka(): Promise<void> {
  try {
    await run(
      'flock',
      ['/tmp/databus-kafka-restart.lock', 'sh', '-c', process.env.KAFKA_RESTART_CMD as string],
      {
        timeout: 180_000,
      },
    );
  } finally {
    await waitForKafka();
  }
}

describeWithBroker('kafka', 'kafka transport conformance', () => {
  const admin = () => new Kafka({ brokers: brokers(), logLevel: logLevel.NOTHING }).admin();
  let before = new Set<string>();
  beforeAll(async () => {
    const client = admin();
    await client.connect();
    before = new Set(await client.listTopics());
    await client.disconnect();
  });
  // Delete the topics the suite created (unique dataset names, their dead-letter and reply topics).
  afterAll(async () => {
    const client = admin();
    await client.connect();
    const created = (await client.listTopics()).filter(
      (t) => !before.has(t) && (/-[0-9a-f]{8}(\.dlq)?$/.test(t) || t.endsWith('.replies')),
    );
    if (created.length) await client.deleteTopics({ topics: created }).catch(() => undefined);
    await client.disconnect();
  });
  describeConformance({
    name: 'kafka',
    url: () => brokerUrl('kafka'),
    // One partition per dataset: the suite checks a total order, which Kafka keeps per partition only.
    options: { transportOptions: { numPartitions: 1, consumer: { maxWaitTimeMs: 100 } } },
    restartBroker: process.env.KAFKA_RESTART_CMD ? restartKafka : undefined,
    deliveryTimeoutMs: 20_000,
  });
});
