// Consume throughput on MQTT (Mosquitto): @OnDatasetMessage on the mqtt:// transport vs raw mqtt.js,
// through @databus/streaming's built dist (run `npm run build` first).
//
//   node bench/streaming-mqtt.mjs [--messages 20000] [--repetitions 3] [--prefetch 100] [--window 400] [--json]
//
// End to end, flow-controlled: Mosquitto's stock limits (max_queued_messages 1000) silently drop QoS 1
// messages queued for a subscriber that falls behind, so the bench cannot pre-fill a topic. Each run forks a
// consumer process; the parent publishes N 256-byte JSON messages at QoS 1 (mqtt.js publishAsync, 20 in
// flight) while keeping published - consumed <= --window (the consumer reports its count every 100 messages).
// The consumer times its first to N-th handled message and its own CPU (process.cpuUsage). Runs alternate
//   raw:     mqtt.js, MQTT 5 shared subscription `$share/<group>/<topic>`, QoS 1, Receive Maximum = prefetch,
//            JSON.parse per message, mqtt.js's automatic PUBACK;
//   handler: @OnDatasetMessage(topic, { group, batch: 100, prefetch }) (PUBACK after the handler resolves);
// for each repetition; medians and the median of the per-repetition ratios are printed. A run that does not
// receive every message (loss) fails loudly with the count. MQTT_URL overrides mqtt://127.0.0.1:1883.
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const require = createRequire(import.meta.url);
const SELF = fileURLToPath(import.meta.url);
const URL_DEFAULT = process.env.MQTT_URL ?? 'mqtt://127.0.0.1:1883';
const RUN_TIMEOUT_MS = 120_000;
const REPORT_EVERY = 100;

/** A 256-byte JSON body with a sequence number. */
function payload(seq) {
  const base = { seq: String(seq).padStart(8, '0'), ts: 1_700_000_000_000, pad: '' };
  const size = Buffer.byteLength(JSON.stringify(base));
  return JSON.stringify({ ...base, pad: 'x'.repeat(256 - size) });
}

/** Counts handled messages, reports progress, and measures the first to the N-th. */
function meter(messages, done) {
  let count = 0;
  let start = 0;
  let cpu;
  return (seq) => {
    if (seq === undefined) throw new Error('bad payload');
    if (count === 0) {
      start = performance.now();
      cpu = process.cpuUsage();
    }
    count++;
    if (count % REPORT_EVERY === 0) process.send({ progress: count });
    if (count === messages) {
      const ms = performance.now() - start;
      const used = process.cpuUsage(cpu);
      done({ ms, cpuUs: used.user + used.system });
    }
  };
}

async function childRaw({ url, topic, messages, prefetch, group }) {
  const mqtt = require('mqtt');
  const client = await mqtt.connectAsync(url, {
    protocolVersion: 5,
    clientId: `bench-raw-${randomUUID().slice(0, 8)}`,
    clean: true,
    properties: { receiveMaximum: prefetch },
  });
  let finish;
  const finished = new Promise((r) => (finish = r));
  const count = meter(messages, finish);
  client.on('message', (_topic, body) => count(JSON.parse(body.toString()).seq));
  await client.subscribeAsync(`$share/${group}/${topic}`, { qos: 1 });
  process.send({ ready: true });
  const result = await finished;
  await client.endAsync();
  return result;
}

async function childDatabus({ url, topic, messages, prefetch, group }) {
  require('reflect-metadata');
  const { Injectable, Module } = require('@nestjs/common');
  const { NestFactory } = require('@nestjs/core');
  const { ChannelService, StreamingModule, OnDatasetMessage } = require('@databus/streaming');
  let finish;
  const finished = new Promise((r) => (finish = r));
  const count = meter(messages, finish);
  class Consumer {
    on(body) {
      count(body.seq); // the runtime has JSON-parsed the body, as the raw consumer does by hand
    }
  }
  // The dataset whose MQTT topic is `topic`: its dots are the topic's levels.
  OnDatasetMessage(topic.replaceAll('/', '.'), { group, batch: 100, prefetch, retry: { attempts: 1 } })(
    Consumer.prototype,
    'on',
    Object.getOwnPropertyDescriptor(Consumer.prototype, 'on'),
  );
  Injectable()(Consumer);
  class BenchModule {}
  Module({
    imports: [
      StreamingModule.forRoot({
        url,
        logger: false,
        groupExpiryMs: 60_000,
        clientId: `bench-${randomUUID().slice(0, 8)}`,
      }),
    ],
    providers: [Consumer],
  })(BenchModule);
  const app = await NestFactory.createApplicationContext(BenchModule, { logger: false });
  if (app.get(ChannelService).transportName !== 'mqtt') throw new Error('the mqtt transport is not in use');
  process.send({ ready: true });
  const result = await finished;
  await app.close();
  return result;
}

async function child(kind, args) {
  const run = kind === 'raw' ? childRaw : childDatabus;
  const result = await run(args);
  process.send({ result }, () => process.exit(0));
}

/** Publishes `messages` at QoS 1 with 20 in flight, never more than `window` ahead of the consumer. */
async function produce(client, topic, messages, window, consumed) {
  let next = 0;
  const inflight = new Set();
  while (next < messages) {
    if (next - consumed() >= window || inflight.size >= 20) {
      if (inflight.size > 0) await Promise.race(inflight);
      else await new Promise((r) => setTimeout(r, 1));
      continue;
    }
    const p = client
      .publishAsync(topic, payload(next++), { qos: 1, properties: { contentType: 'application/json' } })
      .finally(() => inflight.delete(p));
    inflight.add(p);
  }
  await Promise.all(inflight);
}

/** One consumer run: fork it, wait until subscribed, publish with the credit window, collect the result. */
async function runOnce(kind, { url, messages, prefetch, window }) {
  const mqtt = require('mqtt');
  const topic = `bench/streaming-mqtt/${randomUUID().slice(0, 8)}`;
  const group = `bench-${kind}`;
  const consumer = fork(SELF, ['--child', kind, JSON.stringify({ url, topic, messages, prefetch, group })], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let consumed = 0;
  let ready;
  const isReady = new Promise((r) => (ready = r));
  const result = new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      consumer.kill('SIGKILL');
      reject(
        new Error(
          `${kind}: only ${consumed} of ${messages} messages arrived within ${RUN_TIMEOUT_MS} ms (lost?)`,
        ),
      );
    }, RUN_TIMEOUT_MS);
    consumer.on('message', (m) => {
      if (m.ready) ready();
      if (m.progress) consumed = m.progress;
      if (m.result) {
        clearTimeout(timer);
        resolve(m.result);
      }
    });
    consumer.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${kind} run exited with ${code} before reporting`)); // no-op after a result
    });
  });
  await isReady;
  const producer = await mqtt.connectAsync(url, { protocolVersion: 5, clean: true });
  try {
    await produce(producer, topic, messages, window, () => consumed);
    return await result;
  } finally {
    await producer.endAsync();
  }
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/**
 * Measures end-to-end consume throughput of `messages` QoS 1 messages: raw mqtt.js vs @OnDatasetMessage.
 * @param {{ messages?: number, repetitions?: number, prefetch?: number, window?: number, url?: string }} [options]
 */
export async function measureStreamingMqtt(options = {}) {
  const messages = options.messages ?? 20_000;
  const repetitions = options.repetitions ?? 3;
  const prefetch = options.prefetch ?? 100;
  const window = options.window ?? 400;
  const url = options.url ?? URL_DEFAULT;
  const kinds = ['raw', 'handler'];
  const runs = Object.fromEntries(kinds.map((k) => [k, []]));
  for (let rep = 0; rep < repetitions; rep++)
    for (const kind of kinds) runs[kind].push(await runOnce(kind, { url, messages, prefetch, window }));
  const summary = {};
  for (const kind of kinds) {
    const rates = runs[kind].map((r) => (messages / r.ms) * 1000);
    const usPerMsg = runs[kind].map((r) => r.cpuUs / messages);
    summary[kind] = { rates, median: median(rates), cpuUsPerMsg: median(usPerMsg) };
  }
  const ratio = median(runs.handler.map((r, i) => runs.raw[i].ms / r.ms));
  return { messages, repetitions, prefetch, window, summary, ratio: { handlerOverRaw: ratio } };
}

async function main() {
  const argv = process.argv.slice(2);
  if (argv[0] === '--child') return child(argv[1], JSON.parse(argv[2]));
  const flag = (name, fallback) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? Number(argv[i + 1]) : fallback;
  };
  const result = await measureStreamingMqtt({
    messages: flag('messages', 20_000),
    repetitions: flag('repetitions', 3),
    prefetch: flag('prefetch', 100),
    window: flag('window', 400),
  });
  if (argv.includes('--json')) return console.log(JSON.stringify(result, null, 2));
  console.log(
    `MQTT QoS 1 end to end, ${result.messages} x 256 B JSON, prefetch ${result.prefetch}, credit window ${result.window}, ${result.repetitions} alternating runs`,
  );
  const label = { raw: 'raw mqtt.js (auto PUBACK)', handler: '@OnDatasetMessage (group)' };
  for (const [kind, s] of Object.entries(result.summary))
    console.log(
      `  ${label[kind].padEnd(30)} median ${Math.round(s.median).toString().padStart(7)} msg/s   ` +
        `client CPU ${s.cpuUsPerMsg.toFixed(1).padStart(5)} µs/msg   (runs: ${s.rates.map((r) => Math.round(r)).join(', ')})`,
    );
  console.log(
    `  ratio vs raw (median of per-repetition ratios): @OnDatasetMessage ${result.ratio.handlerOverRaw.toFixed(2)}x`,
  );
}

if (process.argv[1] === SELF)
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
