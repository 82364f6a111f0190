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
import { fileURLToPath } from 'node:url';
import { alternate, benchRequire, forkRun, numberFlag, runIfMain } from './lib/common.mjs';
import { drainBody, drainDatabus, drained, drainMain, drainResult } from './lib/drain.mjs';

const require = benchRequire(import.meta.url);
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
      batch.push({
        key: `k${i % 64}`,
        value: Buffer.from(drainBody(i)),
        headers: { 'content-type': 'application/json' },
      });
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
 * Runs `drain(topic, messages, group, count, finished)` on the warm-up topic first (when there is one; counted without
 * profiling), then on the measured topic: the warm-up's consumer is closed before the measured one starts.
 */
async function warmedUp({ topic, messages, group, warmup, warmupTopic }, drain) {
  if (warmup > 0) await drain(warmupTopic, warmup, `${group}-warmup`, ...drained(warmup, { profile: false }));
  return drain(topic, messages, group, ...drained(messages));
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
    databusRun({ ...args, topic, group }, count, finished),
  );
}

function databusRun({ url, topic, prefetch, kind, group }, count, finished) {
  const { Offset } = require('@databus/streaming');
  return drainDatabus({
    kind,
    dataset: topic,
    group,
    // maxWaitMs bounds the wait for the 100th record of a batch: without it the last, partial batch of the
    // drain would wait the 10 s default and dominate the timing (raw kafkajs has no such wait).
    options: { offset: Offset.BEGIN, batch: 100, maxWaitMs: 100, prefetch, retry: { attempts: 1 } },
    forRoot: { url, transportOptions: { autoCreateTopics: false, consumer: { maxWaitTimeMs: 100 } } },
    transport: 'kafka',
    count,
    finished,
  });
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
  return drainResult(runs, { messages, warmup, repetitions, prefetch, partitions });
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

const FLAGS = { messages: 20_000, warmup: 10_000, repetitions: 3, prefetch: 1000, partitions: 3 };

/** `--profile raw|handler|private --out file.cpuprofile`: one profiled run of that kind. */
async function profileMain(argv) {
  const flag = numberFlag(argv);
  const kind = argv[argv.indexOf('--profile') + 1];
  const out = argv[argv.indexOf('--out') + 1];
  if (!['raw', 'handler', 'private'].includes(kind) || !argv.includes('--out'))
    throw new Error('usage: --profile raw|handler|private --out file.cpuprofile');
  const { messages, warmup, prefetch, partitions } = Object.fromEntries(
    Object.entries(FLAGS).map(([k, v]) => [k, flag(k, v)]),
  );
  const result = await profileKafka(kind, out, { messages, warmup, prefetch, partitions });
  console.log(
    `${kind}: ${result.ms.toFixed(0)} ms, ${(result.cpuUs / messages).toFixed(1)} µs/msg; profile in ${out}`,
  );
}

runIfMain(SELF, () => {
  // The broker of `npm run kafka -- start` unless KAFKA_BROKERS names another.
  process.env.KAFKA_BROKERS ??= '127.0.0.1:9092';
  const argv = process.argv.slice(2);
  if (argv.includes('--profile') && !argv.includes('--child')) return profileMain(argv);
  return drainMain({
    name: 'streaming-kafka',
    children: { raw: childRaw, databus: childDatabus },
    measure: measureStreamingKafka,
    flags: FLAGS,
    title: (r) =>
      `Kafka topic drain, ${r.messages} x 256 B JSON over ${r.partitions} partitions, prefetch ${r.prefetch}, warm-up ${r.warmup}, ${r.repetitions} alternating runs`,
    labels: {
      raw: 'raw kafkajs (eachBatch)',
      handler: '@OnDatasetMessage (group)',
      private: 'subscribe callback (private)',
    },
  });
});
