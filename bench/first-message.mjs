// Time to the first already-stored message of a `batch: 1` subscription, per transport, against the raw
// client doing the same work on the same broker in the same run.
//
//   node bench/first-message.mjs [--repetitions 15] [--transports memory,nats,amqp,kafka] [--json]
//
// One message is stored in a fresh dataset first. Each repetition then starts a new subscription from the
// beginning and times from the call that starts it to the callback receiving that message:
//   databus: `channel.subscribe(ds, { offset: Offset.BEGIN, batch: 1, callback })` (a private subscription);
//   raw:     NATS: an ordered consumer (`js.consumers.get(stream)`) and `next()`;
//            RabbitMQ streams: `basic.consume` with `x-stream-offset: first`, prefetch 1;
//            Kafka: a consumer in a fresh group, `fromBeginning`, `eachMessage` (a group join, as ours).
// The memory transport has no raw client. MQTT keeps no history to start from (retained messages aside), so it
// has no row. Datasets, streams and topics are deleted at the end.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { benchRequire, median } from './lib/common.mjs';

const require = benchRequire(import.meta.url);
const SELF = fileURLToPath(import.meta.url);

const URLS = {
  memory: 'memory://bench-first',
  nats: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
  amqp: process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
  kafka: `kafka://${(process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').replace(/^kafka:\/\//, '')}`,
};
// A Kafka repetition joins a consumer group (seconds): fewer of them.
const KAFKA_REPETITIONS = 5;

/** Resolves with the time from `start()` to the first call of the `onFirst` it was handed. */
async function timeToFirst(start) {
  let first;
  const got = new Promise((resolve) => (first = resolve));
  const t0 = performance.now();
  const handle = await start(() => first(performance.now()));
  const ms = (await withTimeout(got, 30_000, 'the first message')) - t0;
  return { ms, handle };
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
    }),
  ]);
}

async function databusRuns(transport, dataset, repetitions) {
  require('reflect-metadata');
  const { Module } = require('@nestjs/common');
  const { NestFactory } = require('@nestjs/core');
  const { ChannelService, StreamingModule, Offset } = require('@databus/streaming');
  class BenchModule {}
  Module({ imports: [StreamingModule.forRoot({ url: URLS[transport], logger: false })] })(BenchModule);
  const app = await NestFactory.createApplicationContext(BenchModule, { logger: false });
  try {
    const channel = app.get(ChannelService);
    await channel.produce(dataset, { seq: 0 });
    const runs = [];
    for (let i = 0; i < repetitions; i++) {
      const { ms, handle } = await timeToFirst((onFirst) =>
        channel.subscribe(dataset, { offset: Offset.BEGIN, batch: 1, callback: () => onFirst() }),
      );
      await handle.close();
      runs.push(ms);
    }
    return runs;
  } finally {
    await app.close();
  }
}

async function rawNats(dataset, repetitions) {
  const { connect } = require('@nats-io/transport-node');
  const { jetstreamManager } = require('@nats-io/jetstream');
  const nc = await connect({ servers: URLS.nats.replace(/^nats:\/\//, '') });
  const stream = `BENCH_FIRST_${dataset.replace(/\W/g, '_')}`;
  const jsm = await jetstreamManager(nc);
  try {
    await jsm.streams.add({ name: stream, subjects: [`raw.${dataset}`] });
    const js = jsm.jetstream();
    await js.publish(`raw.${dataset}`, JSON.stringify({ seq: 0 }));
    const runs = [];
    for (let i = 0; i < repetitions; i++) {
      const { ms } = await timeToFirst(async (onFirst) => {
        const consumer = await js.consumers.get(stream);
        const message = await consumer.next();
        if (message) onFirst();
        await consumer.delete().catch(() => undefined);
      });
      runs.push(ms);
    }
    return runs;
  } finally {
    await jsm.streams.delete(stream).catch(() => undefined);
    await nc.close();
  }
}

async function rawAmqp(dataset, repetitions) {
  const amqp = require('amqplib');
  const model = await amqp.connect(URLS.amqp);
  const queue = `bench-first-raw-${dataset}`;
  try {
    const confirm = await model.createConfirmChannel();
    await confirm.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'stream' } });
    confirm.sendToQueue(queue, Buffer.from(JSON.stringify({ seq: 0 })), { persistent: true });
    await confirm.waitForConfirms();
    await confirm.close();
    const runs = [];
    for (let i = 0; i < repetitions; i++) {
      const channel = await model.createChannel();
      await channel.prefetch(1);
      const { ms, handle } = await timeToFirst(async (onFirst) =>
        channel.consume(
          queue,
          (message) => {
            channel.ack(message);
            onFirst();
          },
          { noAck: false, arguments: { 'x-stream-offset': 'first' } },
        ),
      );
      await channel.cancel(handle.consumerTag);
      await channel.close();
      runs.push(ms);
    }
    return runs;
  } finally {
    const channel = await model.createChannel();
    await channel.deleteQueue(queue).catch(() => undefined);
    await model.close();
  }
}

async function rawKafka(dataset, repetitions) {
  const { Kafka, logLevel } = require('kafkajs');
  const kafka = new Kafka({
    brokers: URLS.kafka.replace(/^kafka:\/\//, '').split(','),
    clientId: 'bench-first',
    logLevel: logLevel.NOTHING,
  });
  const topic = `bench-first-raw-${dataset}`;
  const admin = kafka.admin();
  await admin.connect();
  const groups = [];
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [{ value: JSON.stringify({ seq: 0 }) }] });
    await producer.disconnect();
    const runs = [];
    for (let i = 0; i < repetitions; i++) {
      const groupId = `bench-first-${randomUUID().slice(0, 8)}`;
      groups.push(groupId);
      const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
      const { ms } = await timeToFirst(async (onFirst) => {
        await consumer.connect();
        await consumer.subscribe({ topics: [topic], fromBeginning: true });
        await consumer.run({ eachMessage: async () => onFirst() });
      });
      await consumer.disconnect();
      runs.push(ms);
    }
    return runs;
  } finally {
    await admin.deleteGroups(groups).catch(() => undefined);
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  }
}

const RAW = { nats: rawNats, amqp: rawAmqp, kafka: rawKafka };
const RAW_LABEL = {
  nats: 'raw @nats-io/jetstream (ordered consumer, next())',
  amqp: 'raw amqplib (basic.consume, x-stream-offset first, prefetch 1)',
  kafka: 'raw kafkajs (fresh group, fromBeginning, eachMessage)',
};

const summary = (runs) => ({
  median: median(runs),
  min: Math.min(...runs),
  max: Math.max(...runs),
  runs,
});

/**
 * Measures, per transport, the time from starting a `batch: 1` subscription to its first already-stored
 * message, for databus and the raw client.
 * @param {{ repetitions?: number, transports?: string[], log?: (line: string) => void }} [options]
 */
export async function measureFirstMessage(options = {}) {
  const repetitions = options.repetitions ?? 15;
  const transports = options.transports ?? ['memory', 'nats', 'amqp', 'kafka'];
  const out = { repetitions, kafkaRepetitions: KAFKA_REPETITIONS, transports: {} };
  for (const transport of transports) {
    const reps = transport === 'kafka' ? KAFKA_REPETITIONS : repetitions;
    const dataset = `bench-first-${randomUUID().slice(0, 8)}`;
    const entry = { databus: summary(await databusRuns(transport, dataset, reps)) };
    if (RAW[transport])
      entry.raw = { label: RAW_LABEL[transport], ...summary(await RAW[transport](dataset, reps)) };
    await dropDataset(transport, dataset);
    options.log?.(
      `first-message ${transport}: databus ${entry.databus.median.toFixed(2)} ms` +
        (entry.raw ? `, raw ${entry.raw.median.toFixed(2)} ms` : ''),
    );
    out.transports[transport] = entry;
  }
  return out;
}

/** Deletes the stream / topic the databus runs produced into, with the raw clients (best effort). */
async function dropDataset(transport, dataset) {
  try {
    if (transport === 'nats') {
      const { connect } = require('@nats-io/transport-node');
      const { jetstreamManager } = require('@nats-io/jetstream');
      const nc = await connect({ servers: URLS.nats.replace(/^nats:\/\//, '') });
      const jsm = await jetstreamManager(nc);
      // The transport's stream of a dataset whose name is NATS-safe (these are): the default prefix + the name.
      await jsm.streams.delete(`DATABUS_${dataset}`);
      await nc.close();
    } else if (transport === 'amqp') {
      const model = await require('amqplib').connect(URLS.amqp);
      const channel = await model.createChannel();
      await channel.deleteQueue(dataset);
      await model.close();
    } else if (transport === 'kafka') {
      const { Kafka, logLevel } = require('kafkajs');
      const admin = new Kafka({
        brokers: URLS.kafka.replace(/^kafka:\/\//, '').split(','),
        logLevel: logLevel.NOTHING,
      }).admin();
      await admin.connect();
      await admin.deleteTopics({ topics: [dataset] });
      await admin.disconnect();
    }
  } catch {
    // the next run's names are fresh: a leftover does not disturb it
  }
}

async function main() {
  const argv = process.argv.slice(2);
  const arg = (name) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const result = await measureFirstMessage({
    repetitions: Number(arg('repetitions') ?? 15),
    transports: arg('transports')?.split(','),
    log: (line) => console.error(line),
  });
  if (argv.includes('--json')) return console.log(JSON.stringify(result, null, 2));
  for (const [transport, entry] of Object.entries(result.transports)) {
    const line = (label, s) =>
      `  ${label.padEnd(62)} median ${s.median.toFixed(2).padStart(8)} ms  (min ${s.min.toFixed(2)}, max ${s.max.toFixed(2)})`;
    console.log(transport);
    console.log(line('databus subscribe({ batch: 1 })', entry.databus));
    if (entry.raw) console.log(line(entry.raw.label, entry.raw));
  }
}

if (process.argv[1] === SELF)
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
