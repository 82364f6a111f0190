import { execFile } from 'node:child_process';
import { connect as netConnect } from 'node:net';
import { promisify } from 'node:util';
import { CredentialsProvider, parseBrokerUrl, resolveBackoff } from '@databus/common';
import { brokerUrl, waitFor } from '@databus/testing';
import {
  IncomingRecord,
  Offset,
  StreamingTransport,
  SubscriptionSpec,
  TransportSubscription,
} from '@databus/streaming';
import { mqttTransportFactory } from '../../src/transports/mqtt';

const run = promisify(execFile);

/** A logger that keeps warnings for assertions and prints nothing. */
export function quietLogger(): {
  warnings: string[];
  log(): void;
  warn(m: string): void;
  error(m: string): void;
  debug(): void;
} {
  const warnings: string[] = [];
  return {
    warnings,
    log: () => undefined,
    warn: (m: string) => warnings.push(m),
    error: (m: string) => warnings.push(m),
    debug: () => undefined,
  };
}

/** An MQTT transport on the test broker, built the way StreamingModule builds it. */
export function mqttTransport(
  overrides: {
    clientId?: string;
    transportOptions?: Record<string, unknown>;
    credentials?: CredentialsProvider;
    produceTimeoutMs?: number;
    url?: string;
    logger?: ReturnType<typeof quietLogger>;
  } = {},
): StreamingTransport {
  return mqttTransportFactory({
    url: parseBrokerUrl(overrides.url ?? brokerUrl('mqtt')),
    secure: false,
    clientId: overrides.clientId ?? `mqtt-test-${process.pid}`,
    credentials: overrides.credentials,
    transportOptions: overrides.transportOptions ?? {},
    reconnect: resolveBackoff({ initialMs: 50, maxMs: 500 }, 'reconnect'),
    produceTimeoutMs: overrides.produceTimeoutMs ?? 10_000,
    logger: overrides.logger ?? quietLogger(),
  });
}

/** A subscription spec with test defaults. */
export function spec(dataset: string, extra: Partial<SubscriptionSpec> = {}): SubscriptionSpec {
  return { dataset, start: Offset.LATEST, prefetch: 50, groupExpiryMs: 300_000, ...extra };
}

/** Fetches (and acks) until `count` records arrived or `timeoutMs` passed. */
export async function drain(
  sub: TransportSubscription,
  count: number,
  { timeoutMs = 10_000, ack = true }: { timeoutMs?: number; ack?: boolean } = {},
): Promise<IncomingRecord[]> {
  const out: IncomingRecord[] = [];
  const deadline = Date.now() + timeoutMs;
  while (out.length < count && Date.now() < deadline) {
    const batch = await sub.fetch(Math.min(100, count - out.length), 200);
    if (ack && batch.length) await sub.ack(batch);
    out.push(...batch);
  }
  return out;
}

/** Sequence numbers carried in JSON bodies `{ n }` that are missing from `records` (1..count). */
export function missing(records: readonly IncomingRecord[], count: number): number[] {
  const seen = new Set(records.map((r) => (JSON.parse(r.data.toString()) as { n: number }).n));
  const gaps: number[] = [];
  for (let n = 1; n <= count; n++) if (!seen.has(n)) gaps.push(n);
  return gaps;
}

/** `{ n }` records 1..count. */
export function numbered(count: number, from = 1): Array<{ headers: Record<string, string>; data: Buffer }> {
  return Array.from({ length: count }, (_, i) => ({
    headers: { 'content-type': 'application/json' },
    data: Buffer.from(JSON.stringify({ n: from + i })),
  }));
}

const PID_FILE = '/run/mosquitto/mosquitto.pid';
const LOCK = '/tmp/databus-mosquitto-restart.lock';
/**
 * Starts the daemon with its stdio detached (else it holds our pipe open and execFile never returns);
 * `flock -o` keeps the lock's descriptor out of the daemon (else it holds the lock for its whole life).
 */
const START = 'mosquitto -d -c /etc/mosquitto/mosquitto.conf >/dev/null 2>&1 </dev/null';

/**
 * Restarts the local Mosquitto (SIGTERM, which makes it save persistent sessions, then start it again),
 * under the shared lock; waits until it answers. Always leaves it running.
 */
export async function restartMosquitto(downMs = 500): Promise<void> {
  const script = [
    // The pid file goes missing when a second instance fails to bind and exits: fall back to pgrep.
    `pid=$(cat ${PID_FILE} 2>/dev/null || pgrep -x mosquitto)`,
    `if [ -n "$pid" ]; then kill $pid; for i in $(seq 1 100); do kill -0 $pid 2>/dev/null || break; sleep 0.05; done; fi`,
    `sleep ${(downMs / 1000).toFixed(2)}`,
    START,
  ].join('; ');
  try {
    await run('flock', ['-o', LOCK, 'sh', '-c', script]);
  } finally {
    await ensureMosquitto();
  }
}

/** Starts Mosquitto if it does not answer, and waits until it does. */
export async function ensureMosquitto(): Promise<void> {
  if (!(await answers()))
    // A concurrent start by someone else makes this one fail to bind, which is fine.
    await run('flock', [
      '/tmp/databus-mosquitto-restart.lock',
      'mosquitto',
      '-d',
      '-c',
      '/etc/mosquitto/mosquitto.conf',
    ]).catch(() => undefined);
  await waitFor(() => answers(), { timeoutMs: 15_000, intervalMs: 100, message: 'Mosquitto to answer' });
}

function answers(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect(1883, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
