// Produce throughput with broker acknowledgements: ChannelService.produce (@databus/streaming) against the
// raw client, on RabbitMQ streams (amqp://), NATS JetStream (nats://) and Kafka (kafka://).
//
//   node bench/streaming-produce.mjs [--transport amqp|nats|kafka] [--messages 20000] [--warmup 10000]
//                                    [--repetitions 3] [--json]
//
// Each run is a forked producer process: N persistent 256-byte JSON messages, at most 1000 awaiting their
// acknowledgement (raw amqplib: ConfirmChannel + waitForConfirms every 1000 into a stream queue; raw
// JetStream: js.publish, Promise.all every 1000; raw kafkajs: one producer.send of 1000 records with acks -1
// (all) into a 3-partition topic created beforehand; databus: Promise.all of 1000 channel.produce() calls
// (the shared TickCoalescer batches them), and databus-many: one channel.produceMany() of 1000).
// Kafka uses the broker of `npm run kafka -- start` (127.0.0.1:9092) or KAFKA_BROKERS.
// Each producer first sends --warmup messages (10000) the same way, untimed, to the same destination: without
// it, V8 compiling each client's publish path (on its background threads too) is counted as per-message CPU and
// time of a run that lasts under a second. Rate = N / time to the last acknowledgement; CPU = the producer's
// CPU / N. Runs alternate raw, databus, databus-many (reversed every other repetition). Every stream this creates
// (names containing bench-sp-) is deleted once its run is over, and leftovers on the next run.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import {
  childArgs,
  forkRun,
  median,
  messageFactory,
  runChild,
  timedWindow,
  stats,
  benchRequire,
  retrying,
} from './lib/common.mjs';

const require = benchRequire(import.meta.url);
const SELF = fileURLToPath(import.meta.url);
const KAFKA_BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const URLS = {
  amqp: process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
  nats: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
  kafka: KAFKA_BROKERS.includes('://') ? KAFKA_BROKERS : `kafka://${KAFKA_BROKERS}`,
};
const PORTS = { amqp: 5672, nats: 4222, kafka: 9092 };
const KAFKA_PARTITIONS = 3;
const WINDOW = 1000;
/** Untimed messages each producer sends first (`--warmup`). */
const WARMUP = 10_000;
const natsServers = (url) =>
  url
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/^[^@]*@/, '')
    .split(/[/?]/)[0]
    .split(',');

/** Sends `from`..`to` (exclusive) in windows of WINDOW through `chunk`. */
async function windows(from, to, chunk) {
  for (let i = from; i < to; i += WINDOW) await chunk(i, Math.min(to, i + WINDOW));
}

/**
 * First `warmup` messages untimed, through the same `chunk` as the timed ones (so V8 has compiled each side's
 * publish path before the window opens, as bench/amqp-queue.mjs and bench/mqtt-frameworks.mjs do), then
 * `messages` timed ones.
 */
async function timed(messages, chunk, warmup = 0) {
  await windows(0, warmup, chunk);
  return timedWindow(messages, () => windows(warmup, warmup + messages, chunk));
}

/**
 * What `ChannelService.produce` sends on RabbitMQ (amqp-wire.ts `publishOptions`): persistent, the content type,
 * a message id led by the epoch milliseconds, a timestamp, and `mandatory` (an unroutable message comes back
 * rather than being dropped). The raw producer sends the same, so that the broker stores and checks the same
 * messages for both (as bench/amqp-queue.mjs does; analysis §13a: the three cost the broker ~3% of this rate).
 */
let sequence = 0;
function streamProperties() {
  const ms = Date.now();
  return {
    persistent: true,
    contentType: 'application/json',
    messageId: `${ms}-${process.pid.toString(36)}-${(++sequence).toString(36)}`,
    timestamp: Math.floor(ms / 1000),
    mandatory: true,
  };
}

async function rawAmqp({ url, name, messages, size, warmup }) {
  const amqp = require('amqplib');
  const model = await amqp.connect(url);
  model.on('error', () => undefined);
  const channel = await model.createConfirmChannel();
  await channel.assertQueue(name, {
    durable: true,
    arguments: { 'x-queue-type': 'stream', 'x-max-age': '1h' },
  });
  const make = messageFactory(size);
  const send = (i) => channel.sendToQueue(name, Buffer.from(JSON.stringify(make(i))), streamProperties());
  send(0);
  await channel.waitForConfirms();
  const result = await timed(
    messages,
    async (from, to) => {
      for (let i = from; i < to; i++) if (!send(i)) await new Promise((r) => channel.once('drain', r));
      await channel.waitForConfirms();
    },
    warmup,
  );
  await channel.close();
  await model.close();
  return result;
}

async function rawNats({ url, name, messages, size, warmup }) {
  const { connect } = require('@nats-io/transport-node');
  const { jetstream, jetstreamManager } = require('@nats-io/jetstream');
  const nc = await connect({ servers: natsServers(url) });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: name.replace(/[^A-Za-z0-9_-]/g, '_'), subjects: [name], max_age: 3600e9 });
  const js = jetstream(nc);
  const make = messageFactory(size);
  await js.publish(name, JSON.stringify(make(0)));
  const result = await timed(
    messages,
    async (from, to) => {
      const pending = [];
      for (let i = from; i < to; i++) pending.push(js.publish(name, JSON.stringify(make(i))));
      await Promise.all(pending);
    },
    warmup,
  );
  await nc.drain();
  return result;
}

function kafkaClient(url) {
  const { Kafka, logLevel } = require('kafkajs');
  const brokers = url.replace(/^kafka(\+ssl)?:\/\//, '').split(',');
  return new Kafka({ brokers, clientId: 'bench-produce', logLevel: logLevel.NOTHING });
}

/** Creates `name` with KAFKA_PARTITIONS partitions (both kinds write to a topic of the same shape). */
async function createKafkaTopic(url, name) {
  const admin = kafkaClient(url).admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: [{ topic: name, numPartitions: KAFKA_PARTITIONS }],
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
}

async function rawKafka({ url, name, messages, size, warmup }) {
  const { Partitioners } = require('kafkajs');
  await createKafkaTopic(url, name);
  const producer = kafkaClient(url).producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const make = messageFactory(size);
  const record = (i) => ({
    value: Buffer.from(JSON.stringify(make(i))),
    headers: { 'content-type': 'application/json' },
  });
  await producer.send({ topic: name, acks: -1, messages: [record(0)] });
  const result = await timed(
    messages,
    async (from, to) => {
      const batch = [];
      for (let i = from; i < to; i++) batch.push(record(i));
      await producer.send({ topic: name, acks: -1, messages: batch });
    },
    warmup,
  );
  await producer.disconnect();
  return result;
}

async function databus({ url, name, messages, size, transport, many, warmup }) {
  require('reflect-metadata');
  const { Module } = require('@nestjs/common');
  const { NestFactory } = require('@nestjs/core');
  const { StreamingModule, ChannelService } = require('@databus/streaming');
  if (transport === 'kafka') await createKafkaTopic(url, name);
  class BenchModule {}
  Module({ imports: [StreamingModule.forRoot({ url, logger: false })] })(BenchModule);
  const app = await NestFactory.createApplicationContext(BenchModule, { logger: false });
  await app.init();
  const channel = app.get(ChannelService);
  if (channel.transportName !== transport) throw new Error(`the ${transport} transport is not in use`);
  const make = messageFactory(size);
  await channel.produce(name, make(0)); // declares the dataset, warms the connection
  const result = await timed(
    messages,
    async (from, to) => {
      if (many) {
        const batch = [];
        for (let i = from; i < to; i++) batch.push({ value: make(i) });
        return void (await channel.produceMany(name, batch));
      }
      const pending = [];
      for (let i = from; i < to; i++) pending.push(channel.produce(name, make(i)));
      await Promise.all(pending);
    },
    warmup,
  );
  await app.close();
  return result;
}

const CHILDREN = {
  'raw:amqp': rawAmqp,
  'raw:nats': rawNats,
  'raw:kafka': rawKafka,
  'databus:amqp': databus,
  'databus:nats': databus,
  'databus:kafka': databus,
  'databus-many:amqp': (args) => databus({ ...args, many: true }),
  'databus-many:nats': (args) => databus({ ...args, many: true }),
  'databus-many:kafka': (args) => databus({ ...args, many: true }),
};

/** Deletes the bench's Kafka topics: `names`, or every bench-sp- topic when none are given. */
async function cleanupKafka(url, names) {
  const admin = kafkaClient(url).admin();
  await admin.connect();
  try {
    const topics = names ?? (await admin.listTopics()).filter((t) => t.includes('bench-sp-'));
    const existing = new Set(await admin.listTopics());
    const doomed = topics.filter((t) => existing.has(t));
    if (doomed.length) await admin.deleteTopics({ topics: doomed });
  } finally {
    await admin.disconnect();
  }
}

async function cleanup(transport, url) {
  if (transport === 'kafka') return cleanupKafka(url);
  if (transport === 'amqp') {
    const amqp = require('amqplib');
    const model = await amqp.connect(url);
    model.on('error', () => undefined);
    let names = [];
    try {
      const { execFileSync } = await import('node:child_process');
      names = execFileSync('rabbitmqctl', ['list_queues', '-q', '--no-table-headers', 'name'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
        timeout: 20_000,
      })
        .split('\n')
        .map((l) => l.trim())
        .filter((n) => n.includes('bench-sp-'));
    } catch {
      /* rabbitmqctl not available: only this run's names are known (deleted by the caller) */
    }
    for (const name of names) {
      const ch = await model.createChannel();
      ch.on('error', () => undefined);
      await ch.deleteQueue(name).catch(() => undefined);
      await ch.close().catch(() => undefined);
    }
    await model.close();
    return;
  }
  const { connect } = require('@nats-io/transport-node');
  const { jetstreamManager } = require('@nats-io/jetstream');
  const nc = await connect({ servers: natsServers(url) });
  const jsm = await jetstreamManager(nc);
  const names = [];
  for await (const name of jsm.streams.names())
    if (name.includes('bench-sp-') || name.includes('bench_sp_')) names.push(name);
  for (const name of names) await jsm.streams.delete(name).catch(() => undefined);
  await nc.close();
}

async function deleteNames(transport, url, names) {
  if (transport === 'kafka') return cleanupKafka(url, names);
  if (transport !== 'amqp') return cleanup(transport, url);
  const amqp = require('amqplib');
  const model = await amqp.connect(url);
  model.on('error', () => undefined);
  for (const name of names) {
    const ch = await model.createChannel();
    ch.on('error', () => undefined);
    await ch.deleteQueue(name).catch(() => undefined);
    await ch.close().catch(() => undefined);
  }
  await model.close();
}

/** Profiles one forked produce run of `kind` ('databus', 'raw', 'databus-many') into `path`; cleans up. */
export async function profileProduce(
  transport,
  kind,
  path,
  { messages = 20_000, size = 256, url = URLS[transport], warmup = WARMUP } = {},
) {
  const name = `bench-sp-${randomUUID().slice(0, 8)}-profile`;
  try {
    return await forkRun(
      SELF,
      `${kind}:${transport}`,
      { url, name, messages, size, transport, warmup },
      { env: { BENCH_PROFILE: path } },
    ).result;
  } finally {
    await deleteNames(transport, url, [name]).catch(() => undefined);
  }
}

/** Options: transport ('amqp' | 'nats' | 'kafka'), messages, warmup, repetitions, size, url, log. */
export async function measureStreamingProduce(options = {}) {
  const transport = options.transport ?? 'amqp';
  const messages = options.messages ?? 20_000;
  const warmup = options.warmup ?? WARMUP;
  const repetitions = options.repetitions ?? 3;
  const size = options.size ?? 256;
  const url = options.url ?? URLS[transport];
  const log = options.log ?? (() => undefined);
  const id = randomUUID().slice(0, 8);
  const kinds = ['raw', 'databus', 'databus-many'];
  const runs = { raw: [], databus: [], 'databus-many': [] };
  const names = [];
  await cleanup(transport, url).catch(() => undefined);
  try {
    for (let rep = 0; rep < repetitions; rep++)
      // Odd repetitions run the kinds in reverse, so that no kind always follows the same one.
      for (const kind of rep % 2 ? [...kinds].reverse() : kinds) {
        const name = `bench-sp-${id}-${kind}-${rep}`;
        names.push(name);
        const r = await retrying(
          `${transport} produce ${kind}`,
          () =>
            forkRun(SELF, `${kind}:${transport}`, { url, name, messages, size, transport, warmup }).result,
          { ports: [PORTS[transport]], log },
        );
        // Every run starts with the broker holding only what the runs before it left: none of their data.
        await deleteNames(transport, url, [names.pop()]).catch((e) =>
          console.error(`streaming-produce: cleanup failed: ${e.message}`),
        );
        runs[kind].push(r);
        log(
          `${transport} produce rep ${rep + 1}/${repetitions} ${kind}: ${Math.round(r.rate)}/s ${r.cpuUsPerMsg.toFixed(1)} µs/msg`,
        );
      }
  } finally {
    await deleteNames(transport, url, names).catch((e) =>
      console.error(`streaming-produce: cleanup failed: ${e.message}`),
    );
  }
  const summary = {};
  for (const kind of kinds)
    summary[kind] = {
      rate: stats(runs[kind].map((r) => r.rate)),
      cpuUsPerMsg: median(runs[kind].map((r) => r.cpuUsPerMsg)),
      rateRatio: median(runs[kind].map((r, i) => r.rate / runs.raw[i].rate)),
      cpuRatio: median(runs[kind].map((r, i) => r.cpuUsPerMsg / runs.raw[i].cpuUsPerMsg)),
    };
  return { transport, messages, warmup, repetitions, size, summary, runs };
}

const child = childArgs();
if (child) runChild(() => CHILDREN[child[0]](child[1]));
else if (process.argv[1] === SELF) {
  const argv = process.argv.slice(2);
  const flag = (name, fallback) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : fallback;
  };
  const json = argv.includes('--json');
  measureStreamingProduce({
    transport: flag('transport', 'amqp'),
    messages: Number(flag('messages', 20_000)),
    warmup: Number(flag('warmup', WARMUP)),
    repetitions: Number(flag('repetitions', 3)),
    log: json ? undefined : console.error,
  })
    .then((r) => {
      if (json) return console.log(JSON.stringify(r, null, 2));
      for (const [kind, s] of Object.entries(r.summary))
        console.log(
          `${r.transport} ${kind}: ${Math.round(s.rate.median)}/s (${s.rateRatio.toFixed(2)}x), ${s.cpuUsPerMsg.toFixed(1)} µs/msg (${s.cpuRatio.toFixed(2)}x)`,
        );
    })
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
}
