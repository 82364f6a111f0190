import { Socket } from 'node:net';

/** Brokers the integration tests know about. */
export type BrokerName = 'amqp' | 'mqtt' | 'nats' | 'kafka';

interface BrokerSpec {
  env: string;
  defaultUrl?: string;
  port: number;
}

const BROKERS: Record<BrokerName, BrokerSpec> = {
  amqp: { env: 'RABBITMQ_URL', defaultUrl: 'amqp://guest:guest@127.0.0.1:5672', port: 5672 },
  mqtt: { env: 'MQTT_URL', defaultUrl: 'mqtt://127.0.0.1:1883', port: 1883 },
  nats: { env: 'NATS_URL', defaultUrl: 'nats://127.0.0.1:4222', port: 4222 },
  // `npm run kafka -- start` (or docker compose) runs it there; SASL/SSL listeners: see the Kafka test kit.
  kafka: { env: 'KAFKA_BROKERS', defaultUrl: 'kafka://127.0.0.1:9092', port: 9092 },
};

const UP_ENV = 'DATABUS_TEST_BROKERS_UP';

/** The URL tests use for `broker`: its environment variable, else the loopback default. */
export function brokerUrl(broker: BrokerName): string {
  const spec = BROKERS[broker];
  const fromEnv = process.env[spec.env];
  if (fromEnv) return broker === 'kafka' && !fromEnv.includes('://') ? `kafka://${fromEnv}` : fromEnv;
  if (!spec.defaultUrl) throw new Error(`${spec.env} is not set`);
  return spec.defaultUrl;
}

/**
 * Jest global setup: probes every broker once and records which answer, so that `describeWithBroker` can
 * decide synchronously. Under `REQUIRE_BROKERS=1` an unreachable broker fails
 * the whole run here, with the broker's name and address.
 */
export async function probeBrokers(): Promise<void> {
  const up: BrokerName[] = [];
  const down: string[] = [];
  for (const name of Object.keys(BROKERS) as BrokerName[]) {
    const target = hostPort(brokerUrl(name), BROKERS[name].port);
    if (await canConnect(target.host, target.port)) up.push(name);
    else down.push(`${name} at ${target.host}:${target.port}`);
  }
  process.env[UP_ENV] = up.join(',');
  if (down.length && process.env.REQUIRE_BROKERS === '1')
    throw new Error(`REQUIRE_BROKERS=1 but these brokers do not answer: ${down.join('; ')}`);
}

/**
 * `describe` for tests that need a live broker. When the broker is not available the block is skipped
 * **by name** (the reason is in the title), never silently absent; under `REQUIRE_BROKERS=1` the global
 * setup has already failed the run instead.
 */
export function describeWithBroker(broker: BrokerName, title: string, fn: () => void): void {
  const up = (process.env[UP_ENV] ?? '').split(',').includes(broker);
  if (up) return describe(`${title} [${broker}]`, fn);
  const why = `${broker} broker not reachable`;
  if (process.env.REQUIRE_BROKERS === '1') throw new Error(`${title}: ${why} and REQUIRE_BROKERS=1`);
  describe.skip(`${title} [skipped: ${why}]`, fn);
}

function hostPort(url: string, defaultPort: number): { host: string; port: number } {
  const first = url
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/^[^@]*@/, '')
    .split(/[,/?]/)[0];
  const [host, port] = first.split(':');
  return { host: host || '127.0.0.1', port: port ? Number(port) : defaultPort };
}

/** Whether `host:port` accepts a TCP connection within `timeoutMs`. */
export function canConnect(host: string, port: number, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, host, () => done(true));
  });
}
