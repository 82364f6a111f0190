import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogLevel } from '@nestjs/common';
import { uniqueName, waitFor } from '@databus/testing';
import { RunningDemo, startDemo } from '../../src/bootstrap';
import { DEMO_ENV_KEYS } from '../../src/config/demo-env-keys';
import { migrateOutbox } from '@databus/outbox';
import { Pool } from 'pg';
import { GatewayService } from '../../src/gateway/gateway.service';
import { TokenIssuer } from '../../src/gateway/token-issuer';

// The embedded PostgreSQL, loaded by the test environment with Node's own require (see jose-environment.js).
jest.mock('@electric-sql/pglite', () => (globalThis as { __databusPglite?: unknown }).__databusPglite);

/** The loopback PostgreSQL of the test machines (trust auth, database `test`), as in the outbox's tests. */
export const POSTGRES_URL = process.env.DATABUS_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * `bootDemo(EMBEDDED_DATABASE)`: the demo's default database, the embedded PostgreSQL (PGlite) in its data
 * directory. Other boots use a schema of their own on the loopback PostgreSQL (created with the outbox's
 * migration, dropped by `stop`): PGlite's first start runs initdb, which takes seconds on a loaded machine.
 */
export const EMBEDDED_DATABASE: Readonly<Record<string, string>> = { DATABASE_URL: '' };

/** A sensor hub booted for a test, on a free port, with the simulator off and nothing read from `.env`. */
export interface DemoUnderTest extends RunningDemo {
  /** The in-process token issuer (throws when the demo uses an external gateway). */
  issuer: TokenIssuer;
  /** Closes the app (idempotent) and removes its data directory. */
  stop(): Promise<void>;
}

/**
 * Boots the demo in-process. Every demo variable is blanked first (so the caller's environment cannot leak
 * in), then set from safe defaults (memory:// with a unique name, PORT=0) and `env`. No `.env` is read
 * unless `envFile` names one.
 */
export async function bootDemo(
  env: Record<string, string> = {},
  logger: LogLevel[] | false = ['error'],
  envFile?: string,
): Promise<DemoUnderTest> {
  const dataDir = mkdtempSync(join(tmpdir(), 'databus-demo-'));
  const database = env.DATABASE_URL === undefined ? await migratedSchema() : undefined;
  // Variables the env file sets are left to it (an override, even empty, would win over the file).
  const fromFile = envFile
    ? [...readFileSync(envFile, 'utf8').matchAll(/^([A-Z0-9_]+)=/gm)].map((m) => m[1])
    : [];
  const blank = Object.fromEntries(
    DEMO_ENV_KEYS.filter((key) => !fromFile.includes(key)).map((key) => [key, '']),
  );
  let demo: RunningDemo;
  try {
    demo = await startDemo({
      env: {
        ...blank,
        PORT: '0',
        HOST: '127.0.0.1',
        SIMULATOR: 'off',
        STREAMING_URL: `memory://${uniqueName('demo-e2e')}`,
        QUEUE_URL: 'memory://',
        STREAMING_GROUP: uniqueName('sensor-hub'),
        DEMO_DATA_DIR: dataDir,
        ...(database ? { DATABASE_URL: POSTGRES_URL, DATABASE_SCHEMA: database.schema } : {}),
        ...env,
      },
      ignoreEnvFile: envFile === undefined,
      envFilePath: envFile,
      logger,
      shutdownHooks: false,
    });
  } catch (error) {
    await database?.drop();
    throw error;
  }
  const gateway = demo.app.get(GatewayService);
  let closed: Promise<void> | undefined;
  return {
    ...demo,
    get issuer(): TokenIssuer {
      if (!gateway.issuer)
        throw new Error('bootDemo: this demo uses an external gateway, not its own issuer');
      return gateway.issuer;
    },
    close: () => (closed ??= demo.close()),
    stop: async () => {
      await (closed ??= demo.close());
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A fresh schema on the loopback PostgreSQL with the outbox tables. */
async function migratedSchema(): Promise<{ schema: string; drop(): Promise<void> }> {
  const schema = uniqueName('demo')
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 63);
  const pool = new Pool({ connectionString: POSTGRES_URL, max: 1 });
  try {
    await migrateOutbox(pool, schema);
  } finally {
    await pool.end();
  }
  return {
    schema,
    drop: async () => {
      const admin = new Pool({ connectionString: POSTGRES_URL, max: 1 });
      try {
        await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await admin.end();
      }
    },
  };
}

/**
 * POSTs each value as a reading of `sensor`; each answer must be 202 with the sequence the reading was stored
 * at (every transport, RabbitMQ streams included). Returns those sequences.
 */
export async function postReadings(baseUrl: string, sensor: string, values: number[]): Promise<number[]> {
  const sequences: number[] = [];
  for (const value of values) {
    const response = await fetch(`${baseUrl}/api/sensors/${sensor}/readings`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ value }),
    });
    if (response.status !== 202) throw new Error(`POST reading answered ${response.status}`);
    const body = (await response.json()) as { dataset?: unknown; sequence?: unknown };
    if (body.dataset !== 'sensor-readings' || typeof body.sequence !== 'number')
      throw new Error(`POST reading answered ${JSON.stringify(body)}, not { dataset, sequence }`);
    sequences.push(body.sequence);
  }
  return sequences;
}

/** Waits until the API reports `count` stored readings for `sensor`. */
export async function waitForReadings(baseUrl: string, sensor: string, count: number): Promise<void> {
  await waitFor(
    async () => {
      const list = (await (await fetch(`${baseUrl}/api/sensors`)).json()) as {
        sensor: string;
        count: number;
      }[];
      return list.find((s) => s.sensor === sensor)?.count === count;
    },
    { timeoutMs: 15_000, intervalMs: 50, message: `${count} stored readings of ${sensor}` },
  );
}

/** The expected statistics of `values` (population standard deviation). */
export function expectedStats(values: number[]): {
  count: number;
  mean: number;
  min: number;
  max: number;
  stddev: number;
} {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
  return {
    count: values.length,
    mean,
    min: Math.min(...values),
    max: Math.max(...values),
    stddev: Math.sqrt(variance),
  };
}
