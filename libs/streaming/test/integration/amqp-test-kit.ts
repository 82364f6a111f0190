import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { AddressInfo, connect as netConnect, createServer, Server, Socket } from 'node:net';
import { connect } from 'amqplib';
import {
  CredentialsProvider,
  LoadedTls,
  parseBrokerUrl,
  resolveBackoff,
  staticCredentials,
} from '@databus/common';
import { brokerUrl, uniqueName } from '@databus/testing';
import { TransportContext } from '../../src/transport/transport.interface';
import { lockQueueName, offsetQueueName } from '../../src/transports/amqp/amqp-topology';

const run = promisify(execFile);

/** The loopback RabbitMQ URL of the tests. */
export const amqpUrl = (): string => brokerUrl('amqp');

/** A transport context for `url` with small timeouts, as the module would build it. */
export function amqpContext(
  overrides: Partial<TransportContext> & {
    rawUrl?: string;
    tls?: LoadedTls;
    credentials?: CredentialsProvider;
  } = {},
): TransportContext {
  const { rawUrl = amqpUrl(), ...rest } = overrides;
  const url = parseBrokerUrl(rawUrl);
  return {
    url,
    secure: url.scheme === 'amqps',
    credentials:
      url.username !== undefined
        ? staticCredentials({ username: url.username, password: url.password })
        : undefined,
    clientId: uniqueName('databus-test'),
    transportOptions: { lockPollMs: 100 },
    reconnect: resolveBackoff({ initialMs: 50, maxMs: 500 }, 'reconnect'),
    produceTimeoutMs: 10_000,
    logger: { log: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined },
    ...rest,
  };
}

/**
 * Deletes the streams (datasets) and group queues a test created: streams keep their data on disk.
 * Lock queues are exclusive and vanish with their connection.
 */
export async function deleteAmqpDatasets(datasets: string[], groups: string[] = []): Promise<void> {
  await deleteQueues([...datasets, ...datasets.flatMap((d) => groups.map((g) => offsetQueueName(d, g)))]);
}

/** Names of the streams on the broker (`rabbitmqctl list_queues`). */
export async function listStreams(): Promise<Set<string>> {
  const { stdout } = await run('rabbitmqctl', ['list_queues', '-q', '--no-table-headers', 'name', 'type'], {
    timeout: 60_000,
  });
  return new Set(
    stdout
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter(([name, type]) => name && type === 'stream')
      .map(([name]) => name),
  );
}

/** The arguments RabbitMQ holds for queue `name` (`rabbitmqctl list_queues name arguments`, JSON). */
export async function queueArguments(name: string): Promise<Record<string, unknown>> {
  const { stdout } = await run(
    'rabbitmqctl',
    ['list_queues', '-q', '--formatter', 'json', 'name', 'arguments'],
    { timeout: 60_000 },
  );
  const rows = JSON.parse(stdout) as Array<{ name: string; arguments: unknown }>;
  const row = rows.find((r) => r.name === name);
  if (!row) throw new Error(`queue ${name} not found`);
  // An object, or (older formatters) a list of [name, value] / [name, type, value] entries.
  if (!Array.isArray(row.arguments)) return row.arguments as Record<string, unknown>;
  return Object.fromEntries(
    (row.arguments as unknown[][]).map((entry) => [entry[0], entry[entry.length - 1]]),
  );
}

/**
 * Deletes the streams created since `before` was listed, with the group position stores named after them
 * (only streams: the classic queues of other test suites on the same broker are never touched).
 */
export async function deleteStreamsCreatedSince(before: Set<string>): Promise<void> {
  const created = [...(await listStreams())].filter((name) => !before.has(name));
  if (created.length === 0) return;
  const { stdout } = await run('rabbitmqctl', ['list_queues', '-q', '--no-table-headers', 'name'], {
    timeout: 60_000,
  });
  const stores = stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((name) => created.some((stream) => name.startsWith(`databus.offset.${stream}.`)));
  await deleteQueues([...created, ...stores]);
}

async function deleteQueues(names: string[]): Promise<void> {
  const model = await connect(amqpUrl());
  try {
    for (const name of names) {
      const channel = await model.createChannel();
      channel.on('error', () => undefined);
      await channel.deleteQueue(name).catch(() => undefined);
      await channel.close().catch(() => undefined);
    }
  } finally {
    await model.close();
  }
}

/** Whether the lock queue of a group exists (someone is its active member). */
export async function groupLockHeld(dataset: string, group: string): Promise<boolean> {
  const model = await connect(amqpUrl());
  try {
    const channel = await model.createChannel();
    channel.on('error', () => undefined);
    // Passive declare: 404 = nobody holds it; 405 (RESOURCE_LOCKED) = another connection holds it.
    return await channel.checkQueue(lockQueueName(dataset, group)).then(
      () => true,
      (error: { code?: number }) => error.code === 405,
    );
  } finally {
    await model.close().catch(() => undefined);
  }
}

/**
 * Restarts the RabbitMQ application (`rabbitmqctl stop_app` / `start_app`) under the shared lock
 * `/tmp/databus-rabbitmq-restart.lock`, and waits until it answers. The broker is always started again,
 * even when stopping it fails half-way.
 */
export async function restartRabbitMq(downMs = 1500): Promise<void> {
  const script = [
    'set -e',
    'trap "rabbitmqctl start_app >/dev/null 2>&1 || true" EXIT',
    'rabbitmqctl stop_app >/dev/null',
    `sleep ${(downMs / 1000).toFixed(1)}`,
    'rabbitmqctl start_app >/dev/null',
    'rabbitmqctl await_startup >/dev/null',
  ].join('\n');
  await run('flock', ['/tmp/databus-rabbitmq-restart.lock', 'sh', '-c', script], { timeout: 120_000 });
}

/** A TCP proxy in front of the test broker whose connections a test can cut, and refuse while `down`. */
export interface CuttableProxy {
  port: number;
  /** Destroys every proxied connection and refuses new ones until `restore()`. */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startCuttableProxy(): Promise<CuttableProxy> {
  const upstream = new URL(amqpUrl());
  const sockets = new Set<Socket>();
  let down = false;
  const server: Server = createServer((client) => {
    if (down) return client.destroy();
    const broker = netConnect(Number(upstream.port || 5672), upstream.hostname);
    for (const socket of [client, broker]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.pipe(broker).pipe(client);
    client.on('close', () => broker.destroy());
    broker.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    cut: () => {
      down = true;
      for (const socket of sockets) socket.destroy();
    },
    restore: () => {
      down = false;
    },
    close: async () => {
      down = true;
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
