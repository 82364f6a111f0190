// npm run bench -- --only outbox-relay   (or: node bench/outbox-relay.mjs [--messages 1000] [--rate 200] [--json])
//
// Latency of the transactional outbox relay (libs/outbox): from the moment the writer's COMMIT returns to the
// moment the broker acknowledged the row's message (ChannelService.produceMany resolved for it), on the real
// PostgreSQL (127.0.0.1:5432, database test) and NATS JetStream: a nats-server of its own on a free port (store in a
// temp dir), so the run needs no broker lock and no other test's traffic shares it. The writer commits one row per
// transaction at a steady rate; the relay in the same process is woken by LISTEN/NOTIFY (polling at 1 s only as
// the fallback). Prints p50/p99/max; --json prints the result object for bench/run.mjs.
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchRequire, percentile, waitForPort } from './lib/common.mjs';

const require = benchRequire(import.meta.url);
require('reflect-metadata');
const { Module } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { ChannelService, StreamingModule } = require('@databus/streaming');
const { OutboxModule, OutboxService, migrateOutbox, MESSAGE_ID_HEADER } = require('@databus/outbox');
const { Pool } = require('pg');

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};

/** Measures `messages` commits at `rate` per second; resolves with { p50Ms, p99Ms, maxMs, … }. */
export async function measureOutboxRelay({
  messages = 1000,
  rate = 200,
  postgres = process.env.DATABUS_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  log = () => undefined,
} = {}) {
  const server = await startNatsServer();
  try {
    return await measure({ messages, rate, postgres, nats: server.url, log });
  } finally {
    server.stop();
  }
}

/** A JetStream nats-server on a free port with its store in a temp dir; `stop()` kills it and removes the store. */
async function startNatsServer() {
  const port = 15_000 + Math.floor(Math.random() * 1000);
  const store = mkdtempSync(join(tmpdir(), 'databus-bench-nats-'));
  const child = spawn('/usr/sbin/nats-server', ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', store], {
    stdio: 'ignore',
  });
  const stop = () => {
    child.kill('SIGKILL');
    rmSync(store, { recursive: true, force: true });
  };
  process.once('exit', stop);
  if (!(await waitForPort(port, 10_000))) {
    stop();
    throw new Error(`the bench's nats-server did not listen on ${port}`);
  }
  return { url: `nats://127.0.0.1:${port}`, stop };
}

async function measure({ messages, rate, postgres, nats, log }) {
  const schema = `outbox_bench_${randomUUID().slice(0, 8)}`;
  const dataset = `outbox-bench-${randomUUID().slice(0, 8)}`;
  const pool = new Pool({ connectionString: postgres, max: 8 });
  await migrateOutbox(pool, schema);
  const ours = new Set();
  const committedAt = new Map();
  const ackedAt = new Map();
  let allAcked;
  const done = new Promise((resolve) => (allAcked = resolve));
  // The broker ack of each row: when the relay's produceMany for it resolved. The relay may publish a row
  // before the writer's COMMIT call has returned to it (the notification is sent at commit): such a row
  // counts with latency 0.
  const produceMany = ChannelService.prototype.produceMany;
  ChannelService.prototype.produceMany = async function (name, batch) {
    const result = await produceMany.call(this, name, batch);
    const now = performance.now();
    for (const message of batch) {
      const id = message.headers?.[MESSAGE_ID_HEADER];
      if (!ours.has(id) || ackedAt.has(id)) continue;
      ackedAt.set(id, now);
      if (ackedAt.size === messages) allAcked();
    }
    return result;
  };
  class BenchModule {}
  Reflect.decorate(
    [
      Module({
        imports: [
          StreamingModule.forRoot({ url: nats, logger: false }),
          OutboxModule.forRoot({ pool, schema, logger: false }),
        ],
      }),
    ],
    BenchModule,
  );
  const app = await NestFactory.createApplicationContext(BenchModule, { logger: ['error'] });
  try {
    const outbox = app.get(OutboxService);
    // Warm-up: the stream gets created, the LISTEN connection is up.
    const client = await pool.connect();
    try {
      const interval = 1000 / rate;
      const t0 = performance.now();
      for (let i = 0; i < messages; i++) {
        const due = t0 + i * interval;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const id = randomUUID();
        ours.add(id);
        await client.query('BEGIN');
        await outbox.produce(client, dataset, { i, at: Date.now() }, { key: `k${i % 16}`, messageId: id });
        await client.query('COMMIT');
        committedAt.set(id, performance.now());
      }
    } finally {
      client.release();
    }
    let timer;
    await Promise.race([
      done,
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`only ${ackedAt.size} of ${messages} acked within 60 s`)),
          60_000,
        );
      }),
    ]);
    clearTimeout(timer);
  } finally {
    ChannelService.prototype.produceMany = produceMany;
    await app.close();
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.end();
  }
  const latencies = [...ackedAt].map(([id, at]) => Math.max(0, at - committedAt.get(id)));
  const sorted = latencies.sort((a, b) => a - b);
  const result = {
    messages,
    rate,
    transport: 'nats',
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted[sorted.length - 1],
    ackedBeforeCommitReturned: [...ackedAt].filter(([id, at]) => at < committedAt.get(id)).length,
  };
  log(
    `outbox relay: p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms over ${messages} commits`,
  );
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await measureOutboxRelay({ messages: arg('messages', 1000), rate: arg('rate', 200) });
  if (process.argv.includes('--json')) console.log(JSON.stringify(result));
  else
    console.log(
      `outbox relay commit → broker ack (NATS): p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms, max ${result.maxMs.toFixed(2)} ms (${result.messages} commits at ${result.rate}/s)`,
    );
}
