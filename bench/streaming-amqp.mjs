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
import { fileURLToPath } from 'node:url';
import { alternate, benchRequire, forkRun, runIfMain } from './lib/common.mjs';
import { drainBody, drainDatabus, drained, drainMain, drainResult } from './lib/drain.mjs';

const require = benchRequire(import.meta.url);
const SELF = fileURLToPath(import.meta.url);
const URL_DEFAULT = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const RUN_TIMEOUT_MS = 180_000;

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
    if (
      !channel.sendToQueue(stream, Buffer.from(drainBody(i)), {
        persistent: true,
        contentType: 'application/json',
      })
    )
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
  const [count, finished] = drained(messages);
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

function childDatabus({ url, stream, messages, prefetch, kind }) {
  const { Offset } = require('@databus/streaming');
  const [count, finished] = drained(messages);
  return drainDatabus({
    kind,
    dataset: stream,
    // A fresh durable group per run: the group of an earlier run has already committed the whole stream.
    group: `bench-${randomUUID().slice(0, 8)}`,
    options: { offset: Offset.BEGIN, batch: 100, prefetch, retry: { attempts: 1 } },
    forRoot: { url },
    transport: 'amqp',
    count,
    finished,
  });
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
  return drainResult(runs, { messages, repetitions, prefetch });
}

runIfMain(SELF, () =>
  drainMain({
    name: 'streaming-amqp',
    children: { raw: childRaw, databus: childDatabus },
    measure: measureStreamingAmqp,
    flags: { messages: 20_000, repetitions: 3, prefetch: 1000 },
    title: (r) =>
      `RabbitMQ stream drain, ${r.messages} x 256 B JSON, prefetch ${r.prefetch}, ${r.repetitions} alternating runs`,
    labels: {
      raw: 'raw amqplib',
      handler: '@OnDatasetMessage (group)',
      private: 'subscribe callback (private)',
    },
  }),
);
