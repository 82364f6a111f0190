import { ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Socket } from 'node:net';
import { promisify } from 'node:util';
import { parseBrokerUrl, resolveBackoff } from '@databus/common';
import { brokerUrl, createTestPki } from '@databus/testing';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '../../src/transports/nats/nats-client';
import { jetStreamName } from '../../src/transports/nats/nats-naming';
import { TransportContext } from '../../src/transport/transport.interface';

const run = promisify(execFile);
const NATS_SERVER = '/usr/sbin/nats-server';

/** The loopback NATS URL of the tests. */
export const natsUrl = (): string => brokerUrl('nats');

/** A stream prefix unique to one test file, so that `deleteTestStreams` removes only what it created. */
export const testStreamPrefix = (): string => `DBT_${randomUUID().slice(0, 8)}_`;

/** A transport context for the loopback broker with small timeouts, as the module would build it. */
export function natsContext(overrides: Partial<TransportContext> = {}): TransportContext {
  return {
    url: parseBrokerUrl(natsUrl()),
    secure: false,
    clientId: `databus-test-${randomUUID().slice(0, 8)}`,
    transportOptions: {},
    reconnect: resolveBackoff({ initialMs: 50, maxMs: 500 }, 'reconnect'),
    produceTimeoutMs: 10_000,
    logger: { log: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined },
    ...overrides,
  };
}

/** Deletes every stream whose name starts with `prefix` (and with it, its consumers). */
export async function deleteTestStreams(prefix: string): Promise<void> {
  const nc = await connect({ servers: natsServer() });
  try {
    const jsm = await jetstreamManager(nc);
    const names: string[] = [];
    for await (const name of jsm.streams.names()) if (name.startsWith(prefix)) names.push(name);
    for (const name of names) await jsm.streams.delete(name).catch(() => undefined);
  } finally {
    await nc.close();
  }
}

/**
 * What the server holds for the durable consumer of `group` on `dataset` (stored on subject `dataset`):
 * its `ack_wait` in milliseconds, which a channel's `sessionTimeoutMs` sets.
 */
export async function natsGroupSettings(
  dataset: string,
  group: string,
): Promise<{ sessionTimeoutMs: number }> {
  const nc = await connect({ servers: natsServer() });
  try {
    const jsm = await jetstreamManager(nc);
    const stream = await jsm.streams.find(dataset);
    const info = await jsm.consumers.info(stream, jetStreamName('', group));
    return { sessionTimeoutMs: (info.config.ack_wait ?? 0) / 1_000_000 };
  } finally {
    await nc.close();
  }
}

/** `host:port` of the loopback broker. */
export function natsServer(): string {
  const { hosts } = parseBrokerUrl(natsUrl());
  return `${hosts[0].host}:${hosts[0].port ?? 4222}`;
}

/**
 * Restarts the loopback nats-server (stop, start) under the shared restart lock, and resolves once
 * JetStream answers again. Always leaves the server running: the start is in `finally`.
 */
export async function restartNatsServer(downMs = 500): Promise<void> {
  const script = [
    `start-stop-daemon --stop --oknodo --retry 10 --exec ${NATS_SERVER}`,
    `sleep ${downMs / 1000}`,
  ].join(' && ');
  const start = `start-stop-daemon --start --oknodo --background --exec ${NATS_SERVER} -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log`;
  try {
    await run('flock', ['/tmp/databus-nats-restart.lock', 'sh', '-c', `${script}; ${start}`]);
  } finally {
    await run('sh', ['-c', `pgrep -f '[n]ats-server -a 127.0.0.1 -p 4222 ' >/dev/null || ${start}`]).catch(
      () => undefined,
    );
  }
  await waitForJetStream();
}

/** Waits until the broker accepts connections and JetStream answers. */
export async function waitForJetStream(timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await portOpen()) {
        const nc = await connect({ servers: natsServer(), reconnect: false, timeout: 1000 });
        try {
          await (await jetstreamManager(nc, { timeout: 1000 })).getAccountInfo();
          return;
        } finally {
          await nc.close();
        }
      }
    } catch {
      // not ready yet
    }
    if (Date.now() > deadline) throw new Error('nats-server did not come back with JetStream');
    await new Promise((r) => setTimeout(r, 100));
  }
}

function portOpen(
  host = natsServer().split(':')[0],
  port = Number(natsServer().split(':')[1]),
): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(Number(port), host, () => done(true));
  });
}

/** A nats-server this test started on its own port (auth and status tests). Dispose of it in `finally`. */
export interface PrivateNatsServer {
  port: number;
  url: (auth?: string) => string;
  /** Stops the server (SIGTERM to the pid this test started) and waits until it exited. */
  stop(): Promise<void>;
  /** Starts it again on the same port and store, with `args` (e.g. another token). */
  start(args?: string[]): Promise<void>;
  /** Stops it and removes its store. */
  dispose(): Promise<void>;
}

/** Starts `nats-server` with JetStream on a free port with extra `args` (`--auth <token>`, `--user`/`--pass`). */
export async function startPrivateNatsServer(args: string[]): Promise<PrivateNatsServer> {
  const store = await mkdtemp(join(tmpdir(), 'databus-nats-'));
  const port = 14_000 + Math.floor(Math.random() * 1000);
  let child: ChildProcess | undefined;
  const server: PrivateNatsServer = {
    port,
    url: (auth) => `nats://${auth ? `${auth}@` : ''}127.0.0.1:${port}`,
    async start(startArgs = args) {
      child = spawn(NATS_SERVER, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', store, ...startArgs], {
        stdio: 'ignore',
      });
      const deadline = Date.now() + 10_000;
      while (!(await portOpen('127.0.0.1', port))) {
        if (Date.now() > deadline) throw new Error(`private nats-server on ${port} did not start`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      const running = child;
      child = undefined;
      if (!running || running.exitCode !== null) return;
      const exited = new Promise((r) => running.once('exit', r));
      running.kill('SIGTERM');
      await exited;
    },
    async dispose() {
      await server.stop();
      await rm(store, { recursive: true, force: true });
    },
  };
  await server.start();
  process.once('exit', () => child?.kill('SIGKILL')); // a crashed test run leaves no server behind
  return server;
}

/** PEM files of a throwaway PKI: a CA, a server certificate for 127.0.0.1/localhost, a client certificate. */
export interface TestPki {
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

/** The shared test PKI (libs/testing's createTestPki) in a temporary directory (remove `dir` when done). */
export async function generateTestPki(): Promise<TestPki> {
  const pki = createTestPki({ clientName: 'databus-client' });
  return {
    dir: pki.dir,
    ca: pki.caCert,
    serverCert: pki.serverCert,
    serverKey: pki.serverKey,
    clientCert: pki.clientCert,
    clientKey: pki.clientKey,
  };
}
