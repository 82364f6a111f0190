// Consume throughput on RabbitMQ streams: @OnDatasetMessage on the amqp:// transport vs raw amqplib,
// through @databus/streaming's built dist (run `npm run build` first).
//
//   node bench/streaming-amqp.mjs [--messages 20000] [--repetitions 3] [--prefetch 1000] [--json]
//
// Drain mode: one stream is pre-filled once with N persistent 256-byte JSON messages (publisher confirms);
// then every run starts one consumer from the beginning and times its first to its N-th handled message.
// Each run is a forked process, so CPU (process.cpuUsage) is the consumer's alone. Runs alternate
//   raw amqplib (prefetch P, manual ack per message, JSON.parse)
//   →  @OnDatasetMessage (a handler always belongs to a durable group: it also commits its offset)
//   →  channel.subscribe(…, { callback }) without a group (private: no position store)
// for each repetition; medians and the median of per-repetition ratios are printed. The stream is deleted
// at the end. RABBITMQ_URL overrides the loopback broker. A harness can import `measureStreamingAmqp`.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { alternate, childArgs, drainMeter, drainSummary, forkRun, runChild } from './lib/common.mjs';

const require = createRequire(import.meta.url);
const SELF = fileURLToPath(import.meta.url);
const URL_DEFAULT = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const RUN_TIMEOUT_MS = 180_000;

/** A 256-byte JSON body with a sequence number. */
function payload(seq) {
  const base = { seq: String(seq).padStart(8, '0'), ts: 1_700_000_000_000, pad: '' };
  const size = Buffer.byteLength(JSON.stringify(base));
  return Buffer.from(JSON.stringify({ ...base, pad: 'x'.repeat(256 - size) }));
}

/** Rejects when the connection closes (a broker restart mid-run must fail the run, not hang or exit 0). */
function closed(model) {
  return new Promise((_, reject) => {
    model.on('error', () => undefined);
    model.once('close', (error) =>
      reject(new Error(`the broker connection closed (${error?.message ?? 'no reason'})`)),
    );
  });
}

async function prefill(url, stream, messages) {
  const amqp = require('amqplib');
  const model = await amqp.connect(url);
  const lost = closed(model);
  lost.catch(() => undefined);
  const channel = await model.createConfirmChannel();
  await channel.assertQueue(stream, {
    durable: true,
    arguments: { 'x-queue-type': 'stream', 'x-max-age': '1h' },
  });
  for (let i = 0; i < messages; i++) {
    if (!channel.sendToQueue(stream, payload(i), { persistent: true, contentType: 'application/json' }))
      await Promise.race([new Promise((r) => channel.once('drain', r)), lost]);
    if (i % 1000 === 999) await Promise.race([channel.waitForConfirms(), lost]);
  }
  await Promise.race([channel.waitForConfirms(), lost]);
  model.removeAllListeners('close');
  await model.close();
}

async function deleteQueues(url, names) {
  const amqp = require('amqplib');
  const model = await amqp.connect(url);
  for (const name of names) {
    const channel = await model.createChannel();
    channel.on('error', () => undefined);
    await channel.deleteQueue(name).catch(() => undefined);
    await channel.close().catch(() => undefined);
  }
  await model.close();
}

/**
 * Streams this bench created (and the position stores of their groups), listed with rabbitmqctl when it
 * is available on this machine; [] otherwise.
 */
function leftovers() {
  try {
    return execFileSync('rabbitmqctl', ['list_queues', '-q', '--no-table-headers', 'name'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .split('\n')
      .map((line) => line.trim())
      .filter((name) => /^(databus\.offset\.)?bench-streaming-amqp-[0-9a-f]{8}(\.|$)/.test(name));
  } catch {
    return [];
  }
}

async function childRaw({ url, stream, messages, prefetch }) {
  const amqp = require('amqplib');
  const model = await amqp.connect(url);
  const lost = closed(model);
  lost.catch(() => undefined);
  const channel = await model.createChannel();
  await channel.prefetch(prefetch);
  let finish;
  const finished = new Promise((r) => (finish = r));
  const count = drainMeter(messages, finish);
  await channel.consume(
    stream,
    (message) => {
      count(JSON.parse(message.content.toString('utf8')).seq);
      channel.ack(message);
    },
    { noAck: false, arguments: { 'x-stream-offset': 'first' } },
  );
  const result = await Promise.race([finished, lost]);
  model.removeAllListeners('close');
  await model.close();
  return result;
}

async function childDatabus({ url, stream, messages, prefetch, kind }) {
  require('reflect-metadata');
  const { Injectable, Module } = require('@nestjs/common');
  const { NestFactory } = require('@nestjs/core');
  const { ChannelService, StreamingModule, OnDatasetMessage, Offset } = require('@databus/streaming');
  let finish;
  const finished = new Promise((r) => (finish = r));
  const count = drainMeter(messages, finish);
  class Consumer {
    on(payload) {
      count(payload.seq); // the runtime has JSON-parsed the body, as the raw consumer does by hand
    }
  }
  const options = { offset: Offset.BEGIN, batch: 100, prefetch, retry: { attempts: 1 } };
  // A fresh durable group per run: the group of an earlier run has already committed the whole stream.
  const group = `bench-${randomUUID().slice(0, 8)}`;
  // Decorators applied by hand (this file is plain JavaScript).
  if (kind === 'handler')
    OnDatasetMessage(stream, { ...options, group })(
      Consumer.prototype,
      'on',
      Object.getOwnPropertyDescriptor(Consumer.prototype, 'on'),
    );
  Injectable()(Consumer);
  class BenchModule {}
  const verbose = process.env.BENCH_LOG === '1'; // BENCH_LOG=1: the children log what the transport does
  Module({
    imports: [StreamingModule.forRoot({ url, ...(verbose ? {} : { logger: false }) })],
    providers: [Consumer],
  })(BenchModule);
  const app = await NestFactory.createApplicationContext(BenchModule, {
    logger: verbose ? ['error', 'warn', 'log', 'debug'] : false,
  });
  const channel = app.get(ChannelService);
  if (channel.transportName !== 'amqp') throw new Error('the amqp transport is not in use');
  if (kind === 'private')
    await channel.subscribe(stream, { ...options, callback: (m) => count(m.json().seq) });
  const result = await finished;
  const slowClose = setTimeout(() => console.error(`  [${kind} run] app.close() pending after 15 s`), 15_000);
  slowClose.unref();
  await app.close();
  clearTimeout(slowClose);
  return result;
}

/**
 * Measures drain throughput of `messages` stream messages, raw amqplib vs @OnDatasetMessage and a private callback subscription.
 * @param {{ messages?: number, repetitions?: number, prefetch?: number, url?: string }} [options]
 */
export async function measureStreamingAmqp(options = {}) {
  const messages = options.messages ?? 20_000;
  const repetitions = options.repetitions ?? 3;
  const prefetch = options.prefetch ?? 1000;
  const url = options.url ?? URL_DEFAULT;
  const stream = `bench-streaming-amqp-${randomUUID().slice(0, 8)}`;
  const kinds = ['raw', 'handler', 'private'];
  let runs;
  await deleteQueues(url, leftovers()); // streams of earlier runs that a broker restart interrupted
  try {
    await prefill(url, stream, messages);
    runs = await alternate(
      kinds,
      repetitions,
      (kind) =>
        forkRun(SELF, kind, { url, stream, messages, prefetch }, { timeoutMs: RUN_TIMEOUT_MS }).result,
    );
  } finally {
    await deleteQueues(url, [stream, ...leftovers()]).catch((error) =>
      console.error(`could not delete ${stream}: ${error.message} (the next run deletes it)`),
    );
  }
  const { summary, ratio } = drainSummary(runs, messages);
  return {
    messages,
    repetitions,
    prefetch,
    summary,
    ratio: { handlerOverRaw: ratio.handler, privateOverRaw: ratio.private },
  };
}

// Keep the event loop honest: a run that can never finish must fail, not exit 0 silently.
process.on('beforeExit', () => {
  if (!process.exitCode && !finishedMain) {
    console.error(
      'streaming-amqp bench: nothing left to wait for before finishing (lost broker connection?)',
    );
    process.exitCode = 1;
  }
});
let finishedMain = false;

async function main() {
  const argv = process.argv.slice(2);
  const spawned = childArgs();
  if (spawned) {
    finishedMain = true; // a child exits through process.send's callback
    const [kind, args] = spawned;
    return runChild(() => (kind === 'raw' ? childRaw : childDatabus)({ ...args, kind }));
  }
  const flag = (name, fallback) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? Number(argv[i + 1]) : fallback;
  };
  const result = await measureStreamingAmqp({
    messages: flag('messages', 20_000),
    repetitions: flag('repetitions', 3),
    prefetch: flag('prefetch', 1000),
  });
  finishedMain = true;
  if (argv.includes('--json')) return console.log(JSON.stringify(result, null, 2));
  console.log(
    `RabbitMQ stream drain, ${result.messages} x 256 B JSON, prefetch ${result.prefetch}, ${result.repetitions} alternating runs`,
  );
  const label = {
    raw: 'raw amqplib',
    handler: '@OnDatasetMessage (group)',
    private: 'subscribe callback (private)',
  };
  for (const [kind, s] of Object.entries(result.summary))
    console.log(
      `  ${label[kind].padEnd(30)} median ${Math.round(s.median).toString().padStart(7)} msg/s   ` +
        `client CPU ${s.cpuUsPerMsg.toFixed(1).padStart(5)} µs/msg   (runs: ${s.rates.map((r) => Math.round(r)).join(', ')})`,
    );
  console.log(
    `  ratio vs raw (median of per-repetition ratios): @OnDatasetMessage ${result.ratio.handlerOverRaw.toFixed(2)}x, private callback ${result.ratio.privateOverRaw.toFixed(2)}x`,
  );
}

if (process.argv[1] === SELF)
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
