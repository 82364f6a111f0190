// Consume throughput on Kafka: @OnDatasetMessage on the kafka:// transport vs raw kafkajs, through
// @databus/streaming's built dist (run `npm run build` first). Uses the broker of `npm run kafka -- start`
// (127.0.0.1:9092) or KAFKA_BROKERS (`node bench/streaming-kafka.mjs`).
//
//   node bench/streaming-kafka.mjs [--messages 20000] [--warmup 10000] [--repetitions 3] [--prefetch 1000] [--partitions 3] [--json]
//
// Drain mode: one topic is pre-filled once with N 256-byte JSON messages (acks = all, keyed over the
// partitions); then every run starts one consumer in a new group from the beginning and times its first to
// its N-th handled message (the group join is not timed). Each run is a forked process, so CPU
// (process.cpuUsage) is the consumer's alone. Before it, every run warms up the same way on a topic of its
// own (--warmup records, pre-filled alike; 0: none): the same kind of consumer, in a group of its own,
// drains it and is closed, so both sides time code V8 has compiled already (a fixed ~150-200 ms of compiling
// on our side would otherwise be charged to the window), and no record fetched during the warm-up can be
// handed out inside the timed window (they are of another topic). Runs alternate
//   raw kafkajs (eachBatch, JSON.parse per message, resolveOffset, commit after each batch)
//   →  @OnDatasetMessage (durable group, batch 100, prefetch P, watermark commits)
//   →  channel.subscribe(…, { callback }) without a group (private: no commits)
// for each repetition; medians and the median of per-repetition ratios are printed. The topic and the
// bench's groups are deleted at the end. A harness can import `measureStreamingKafka`, and `profileKafka` for a
// V8 CPU profile of one run's measured window (`--profile raw|handler|private --out file.cpuprofile`).
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import {
  alternate,
  childArgs,
  drainMeter,
  drainSummary,
  forkRun,
  runChild,
  startProfiler,
} from './lib/common.mjs';

const require = createRequire(import.meta.url);
const SELF = fileURLToPath(import.meta.url);
const RUN_TIMEOUT_MS = 180_000;

/** `kafka://host:port,…` from KAFKA_BROKERS (`host:port,…` or a kafka:// URL). */
function kafkaUrl() {
  const raw = process.env.KAFKA_BROKERS;
  return raw.includes('://') ? raw : `kafka://${raw}`;
}
const brokersOf = (url) => url.replace(/^kafka(\+ssl)?:\/\//, '').split(',');

function kafkaClient(url, clientId) {
  const { Kafka, logLevel } = require('kafkajs');
  return new Kafka({ brokers: brokersOf(url), clientId, logLevel: logLevel.NOTHING });
}

/** A 256-byte JSON body with a sequence number. */
function payload(seq) {
  const base = { seq: String(seq).padStart(8, '0'), ts: 1_700_000_000_000, pad: '' };
  const size = Buffer.byteLength(JSON.stringify(base));
  return Buffer.from(JSON.stringify({ ...base, pad: 'x'.repeat(256 - size) }));
}

async function prefill(url, topic, messages, partitions) {
  const { Partitioners } = require('kafkajs');
  const kafka = kafkaClient(url, 'bench-prefill');
  const admin = kafka.admin();
  await admin.connect();
  // Best effort: a broker without CreateTopics (librdkafka's mock cluster) auto-creates the topic instead.
  await admin
    .createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true })
    .catch((error) => console.error(`createTopics failed (${error.message}); relying on auto-creation`));
  await admin.disconnect();
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  for (let from = 0; from < messages; from += 1000) {
    const batch = [];
    for (let i = from; i < Math.min(messages, from + 1000); i++)
      batch.push({ key: `k${i % 64}`, value: payload(i), headers: { 'content-type': 'application/json' } });
    await producer.send({ topic, acks: -1, messages: batch });
  }
  await producer.disconnect();
}

async function cleanup(url, topics, groups) {
  const admin = kafkaClient(url, 'bench-cleanup').admin();
  await admin.connect();
  try {
    await admin.deleteGroups(groups).catch(() => undefined);
    await admin.deleteTopics({ topics }).catch(() => undefined);
  } finally {
    await admin.disconnect();
  }
}

/**
 * `drainMeter`, plus a V8 CPU profile of the measured window (first to last message) into BENCH_PROFILE when
 * that is set; `finish` is called once the profile is written.
 */
function meter(messages, finish) {
  const path = process.env.BENCH_PROFILE;
  if (!path) return drainMeter(messages, finish);
  let profiler;
  const count = drainMeter(messages, (result) => profiler.stop(path).then(() => finish(result)));
  return (seq) => {
    profiler ??= startProfiler();
    count(seq);
  };
}

/**
 * Runs `drain(topic, messages, group, count, finished)` on the warm-up topic first (when there is one; counted without
 * profiling), then on the measured topic: the warm-up's consumer is closed before the measured one starts.
 */
async function warmedUp({ topic, messages, group, warmup, warmupTopic }, drain) {
  if (warmup > 0) {
    let done;
    const warmed = new Promise((r) => (done = r));
    await drain(warmupTopic, warmup, `${group}-warmup`, drainMeter(warmup, done), warmed);
  }
  let finish;
  const finished = new Promise((r) => (finish = r));
  return drain(topic, messages, group, meter(messages, finish), finished);
}

function childRaw(args) {
  return warmedUp(args, (topic, messages, group, count, finished) =>
    drainRaw(args.url, topic, group, count, finished),
  );
}

async function drainRaw(url, topic, group, count, finished) {
  const consumer = kafkaClient(url, 'bench-raw').consumer({ groupId: group, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
      for (const message of batch.messages) {
        count(JSON.parse(message.value.toString('utf8')).seq);
        resolveOffset(message.offset);
      }
      await heartbeat();
    },
  });
  const result = await finished;
  await consumer.disconnect();
  return result;
}

function childDatabus(args) {
  return warmedUp(args, (topic, messages, group, count, finished) =>
    drainDatabus({ ...args, topic, group }, count, finished),
  );
}

async function drainDatabus({ url, topic, prefetch, kind, group }, count, finished) {
  require('reflect-metadata');
  const { Injectable, Module } = require('@nestjs/common');
  const { NestFactory } = require('@nestjs/core');
  const { ChannelService, StreamingModule, OnDatasetMessage, Offset } = require('@databus/streaming');
  class Consumer {
    on(payload) {
      count(payload.seq); // the runtime has JSON-parsed the body, as the raw consumer does by hand
    }
  }
  // maxWaitMs bounds the wait for the 100th record of a batch: without it the last, partial batch of the
  // drain would wait the 10 s default and dominate the timing (raw kafkajs has no such wait).
  const options = { offset: Offset.BEGIN, batch: 100, maxWaitMs: 100, prefetch, retry: { attempts: 1 } };
  // Decorators applied by hand (this file is plain JavaScript).
  if (kind === 'handler')
    OnDatasetMessage(topic, { ...options, group })(
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
        transportOptions: { autoCreateTopics: false, consumer: { maxWaitTimeMs: 100 } },
      }),
    ],
    providers: [Consumer],
  })(BenchModule);
  const app = await NestFactory.createApplicationContext(BenchModule, { logger: false });
  const channel = app.get(ChannelService);
  if (channel.transportName !== 'kafka') throw new Error('the kafka transport is not in use');
  if (kind === 'private')
    await channel.subscribe(topic, { ...options, callback: (m) => count(m.json().seq) });
  const result = await finished;
  await app.close();
  return result;
}

/**
 * Measures drain throughput of `messages` Kafka records: raw kafkajs vs @OnDatasetMessage and a private
 * callback subscription.
 * @param {{ messages?: number, repetitions?: number, prefetch?: number, partitions?: number, url?: string }} [options]
 */
export async function measureStreamingKafka(options = {}) {
  const messages = options.messages ?? 20_000;
  const warmup = options.warmup ?? 10_000;
  const repetitions = options.repetitions ?? 3;
  const prefetch = options.prefetch ?? 1000;
  const partitions = options.partitions ?? 3;
  const url = options.url ?? kafkaUrl();
  const id = randomUUID().slice(0, 8);
  const topic = `bench-streaming-kafka-${id}`;
  const warmupTopic = `${topic}-warmup`;
  const kinds = ['raw', 'handler', 'private'];
  let runs;
  const groups = [];
  try {
    await prefill(url, topic, messages, partitions);
    if (warmup > 0) await prefill(url, warmupTopic, warmup, partitions);
    runs = await alternate(kinds, repetitions, (kind, rep) => {
      const group = `bench-kafka-${id}-${kind}-${rep}`;
      groups.push(group, `${group}-warmup`);
      const args = { url, topic, messages, prefetch, group, warmup, warmupTopic };
      return forkRun(SELF, kind, args, { timeoutMs: RUN_TIMEOUT_MS }).result;
    });
  } finally {
    await cleanup(url, [topic, warmupTopic], groups).catch((error) =>
      console.error(`could not delete ${topic}: ${error.message}`),
    );
  }
  const { summary, ratio } = drainSummary(runs, messages);
  return {
    messages,
    warmup,
    repetitions,
    prefetch,
    partitions,
    summary,
    ratio: { handlerOverRaw: ratio.handler, privateOverRaw: ratio.private },
  };
}

/**
 * Profiles one forked run of `kind` ('raw', 'handler' or 'private') draining `messages` records into `path`
 * (the measured window only). The topic and the group are deleted at the end.
 */
export async function profileKafka(
  kind,
  path,
  { messages = 20_000, warmup = 10_000, prefetch = 1000, partitions = 3 } = {},
) {
  const url = kafkaUrl();
  const id = randomUUID().slice(0, 8);
  const topic = `bench-streaming-kafka-${id}-profile`;
  const warmupTopic = `${topic}-warmup`;
  const group = `bench-kafka-${id}-${kind}-profile`;
  try {
    await prefill(url, topic, messages, partitions);
    if (warmup > 0) await prefill(url, warmupTopic, warmup, partitions);
    return await forkRun(
      SELF,
      kind,
      { url, topic, messages, prefetch, group, warmup, warmupTopic },
      { timeoutMs: RUN_TIMEOUT_MS, env: { BENCH_PROFILE: path } },
    ).result;
  } finally {
    await cleanup(url, [topic, warmupTopic], [group, `${group}-warmup`]).catch((error) =>
      console.error(`could not delete ${topic}: ${error.message}`),
    );
  }
}

async function main() {
  const argv = process.argv.slice(2);
  const spawned = childArgs();
  if (spawned) {
    const [kind, args] = spawned;
    return runChild(() => (kind === 'raw' ? childRaw : childDatabus)({ ...args, kind }));
  }
  // The broker of `npm run kafka -- start` unless KAFKA_BROKERS names another.
  process.env.KAFKA_BROKERS ??= '127.0.0.1:9092';
  const flag = (name, fallback) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? Number(argv[i + 1]) : fallback;
  };
  const profiled = argv.indexOf('--profile');
  if (profiled >= 0) {
    const kind = argv[profiled + 1];
    const out = argv[argv.indexOf('--out') + 1];
    if (!['raw', 'handler', 'private'].includes(kind) || !argv.includes('--out'))
      throw new Error('usage: --profile raw|handler|private --out file.cpuprofile');
    const result = await profileKafka(kind, out, {
      messages: flag('messages', 20_000),
      warmup: flag('warmup', 10_000),
      prefetch: flag('prefetch', 1000),
      partitions: flag('partitions', 3),
    });
    return console.log(
      `${kind}: ${result.ms.toFixed(0)} ms, ${(result.cpuUs / flag('messages', 20_000)).toFixed(1)} µs/msg; profile in ${out}`,
    );
  }
  const result = await measureStreamingKafka({
    messages: flag('messages', 20_000),
    warmup: flag('warmup', 10_000),
    repetitions: flag('repetitions', 3),
    prefetch: flag('prefetch', 1000),
    partitions: flag('partitions', 3),
  });
  if (argv.includes('--json')) return console.log(JSON.stringify(result, null, 2));
  console.log(
    `Kafka topic drain, ${result.messages} x 256 B JSON over ${result.partitions} partitions, prefetch ${result.prefetch}, warm-up ${result.warmup}, ${result.repetitions} alternating runs`,
  );
  const label = {
    raw: 'raw kafkajs (eachBatch)',
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
