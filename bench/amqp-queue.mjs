// RabbitMQ work queues: @databus/queue (@TaskHandler, TaskQueue.enqueue) against raw amqplib,
// @nestjs/microservices (RMQ) and @golevelup/nestjs-rabbitmq, on the same durable classic queue work:
// persistent 256-byte JSON (Nest's {pattern,data} envelope), publisher confirms, manual acks, one prefetch.
// Every producer sends the properties TaskQueue.enqueue sends (taskProperties: content type, a UUID message-id
// and a timestamp), so that the broker stores the same messages for each (analysis §10a: the two properties
// alone cost RabbitMQ ~15 µs of CPU per message, a quarter of the produce throughput).
//
//   node bench/amqp-queue.mjs [--messages 20000] [--warmup 10000] [--repetitions 3] [--prefetch 100] [--size 256]
//                             [--latency-rate 1000] [--latency-messages 4000] [--kinds raw,task,nest,golevelup] [--json]
//
// Per repetition and per kind (raw, task, nest, golevelup; reversed every other repetition):
//   produce  a forked producer first warms up: it publishes --warmup messages (10000) the same way, and the
//            queue is purged (not measured; without it the JIT compiling each client's publish path, on
//            V8's background threads too, is counted as per-message CPU and is most of a 20000-message run).
//            Then it publishes N messages, awaiting the confirms of every 1000 (ConfirmChannel
//            waitForConfirms / Promise.all of 1000 enqueue() / emit() / publish()); rate = N / time to the
//            last confirm; CPU = the producer process's CPU (all its threads) / N.
//   consume  a forked consumer then drains those N messages alone (the producer has exited): time from its
//            first to its N-th acked message, its CPU / N, its peak RSS.
//   latency  (once per kind per repetition) a raw producer publishes at a fixed moderate rate while the
//            consumer runs; p50/p99 of (handled − sent) over every message.
// Every consumer JSON-parses the body and reads data.seq (the frameworks parse for it). Queues are named
// bench-q-<run>-<kind>, deleted at the end (and leftovers of interrupted runs on the next run).
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import {
  childArgs,
  createMeter,
  forkRun,
  messageFactory,
  now,
  runChild,
  timedWindow,
  benchRequire,
  retrying,
  runIfMain,
  textFlag,
} from './lib/common.mjs';
import { emptyRuns, printSummary, record, summarizeRuns } from './lib/frameworks.mjs';

const require = benchRequire(import.meta.url);
const SELF = fileURLToPath(import.meta.url);
const URL_DEFAULT = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const WINDOW = 1000;
export const AMQP_KINDS = ['raw', 'task', 'nest', 'golevelup'];
export const AMQP_LABELS = {
  raw: 'raw amqplib',
  task: '@databus/queue @TaskHandler / enqueue',
  nest: '@nestjs/microservices RMQ',
  golevelup: '@golevelup/nestjs-rabbitmq',
  'raw-multiack': 'raw amqplib, one ack (multiple) per turn',
};

// ---------------------------------------------------------------- consumers (forked) ------------------

/** Rejects when an amqplib connection closes under a run. */
function lostConnection(model) {
  const lost = new Promise((_, reject) => {
    model.on('error', () => undefined);
    model.once('close', (e) => reject(new Error(`broker connection closed (${e?.message ?? 'no reason'})`)));
  });
  lost.catch(() => undefined);
  return lost;
}

async function conRaw({ url, queue, messages, prefetch, latency }) {
  const amqp = require('amqplib');
  const model = await amqp.connect(url);
  const lost = lostConnection(model);
  const channel = await model.createChannel();
  await channel.prefetch(prefetch);
  const meter = createMeter(messages, { latency });
  await channel.consume(
    queue,
    (message) => {
      meter.tick(JSON.parse(message.content.toString('utf8')).data);
      channel.ack(message);
    },
    { noAck: false },
  );
  process.send({ type: 'ready' });
  const result = await Promise.race([meter.done, lost]);
  model.removeAllListeners('close');
  await channel.close(); // first: amqplib could send the connection close ahead of this channel's last acks
  await model.close();
  return result;
}

/**
 * Experiment (not in the default kinds): raw amqplib that acknowledges once per event-loop turn with
 * `allUpTo` (basic.ack multiple=true) instead of once per message: what ack coalescing would save.
 */
async function conRawMultiAck({ url, queue, messages, prefetch, latency }) {
  const amqp = require('amqplib');
  const model = await amqp.connect(url);
  const lost = lostConnection(model);
  const channel = await model.createChannel();
  await channel.prefetch(prefetch);
  const meter = createMeter(messages, { latency });
  let last;
  const flush = () => {
    channel.ack(last, true);
    last = undefined;
  };
  await channel.consume(
    queue,
    (message) => {
      meter.tick(JSON.parse(message.content.toString('utf8')).data);
      if (!last) setImmediate(flush);
      last = message;
    },
    { noAck: false },
  );
  process.send({ type: 'ready' });
  const result = await Promise.race([meter.done, lost]);
  await new Promise((r) => setImmediate(r));
  model.removeAllListeners('close');
  await channel.close();
  await model.close();
  return result;
}

async function conTask({ url, queue, messages, prefetch, latency, concurrency }) {
  require('reflect-metadata');
  const { Injectable, Module } = require('@nestjs/common');
  const { NestFactory } = require('@nestjs/core');
  const { TaskQueueModule, TaskHandler } = require('@databus/queue');
  const meter = createMeter(messages, { latency });
  class Worker {
    on(task) {
      meter.tick(task.data);
    }
  }
  TaskHandler(queue, { concurrency: concurrency ?? prefetch, retry: false })(
    Worker.prototype,
    'on',
    Object.getOwnPropertyDescriptor(Worker.prototype, 'on'),
  );
  Injectable()(Worker);
  class BenchModule {}
  Module({
    imports: [TaskQueueModule.forRoot({ url, prefetch })],
    providers: [Worker],
  })(BenchModule);
  const app = await NestFactory.createApplicationContext(BenchModule, { logger: false });
  await app.init();
  process.send({ type: 'ready' });
  const result = await meter.done;
  await app.close();
  return result;
}

async function conNest({ url, queue, messages, prefetch, latency }) {
  require('reflect-metadata');
  const { Controller, Module } = require('@nestjs/common');
  const { NestFactory } = require('@nestjs/core');
  const { Transport, EventPattern, Payload, Ctx } = require('@nestjs/microservices');
  const meter = createMeter(messages, { latency });
  class Consumer {
    on(data, ctx) {
      meter.tick(data);
      ctx.getChannelRef().ack(ctx.getMessage());
    }
  }
  const proto = Consumer.prototype;
  EventPattern('bench.event')(proto, 'on', Object.getOwnPropertyDescriptor(proto, 'on'));
  Payload()(proto, 'on', 0);
  Ctx()(proto, 'on', 1);
  Controller()(Consumer);
  class BenchModule {}
  Module({ controllers: [Consumer] })(BenchModule);
  const app = await NestFactory.createMicroservice(BenchModule, {
    transport: Transport.RMQ,
    options: { urls: [url], queue, queueOptions: { durable: true }, prefetchCount: prefetch, noAck: false },
    logger: false,
  });
  await app.listen();
  process.send({ type: 'ready' });
  const result = await meter.done;
  await app.close();
  return result;
}

async function conGolevelup({ url, queue, messages, prefetch, latency }) {
  require('reflect-metadata');
  const { Injectable, Module } = require('@nestjs/common');
  const { NestFactory } = require('@nestjs/core');
  const { RabbitMQModule, RabbitSubscribe } = require('@golevelup/nestjs-rabbitmq');
  const meter = createMeter(messages, { latency });
  class Consumer {
    async on(message) {
      meter.tick(message.data);
    }
  }
  const proto = Consumer.prototype;
  RabbitSubscribe({ queue, queueOptions: { durable: true } })(
    proto,
    'on',
    Object.getOwnPropertyDescriptor(proto, 'on'),
  );
  Injectable()(Consumer);
  class BenchModule {}
  Module({
    imports: [
      RabbitMQModule.forRoot({
        uri: url,
        prefetchCount: prefetch,
        enableDirectReplyTo: false,
        connectionInitOptions: { wait: true },
        logger: { log() {}, error() {}, warn() {}, debug() {}, verbose() {} },
      }),
    ],
    providers: [Consumer],
  })(BenchModule);
  const app = await NestFactory.createApplicationContext(BenchModule, { logger: false });
  await app.init();
  process.send({ type: 'ready' });
  const result = await meter.done;
  await app.close();
  return result;
}

// ---------------------------------------------------------------- producers (forked) ------------------

/**
 * The AMQP properties `TaskQueue.enqueue` puts on every task besides persistence: its JSON content type, a
 * random UUID `message-id` (what idempotent handlers key on) and a `timestamp` in seconds. Every producer of
 * the comparison sends them, so the broker does the same work for each.
 */
function taskProperties() {
  return {
    contentType: 'application/json',
    messageId: randomUUID(),
    timestamp: Math.floor(Date.now() / 1000),
  };
}

/**
 * Times `publishChunk(from, to)` over N messages in chunks of WINDOW awaited confirms, after `warmup`
 * messages sent the same way and purged from the queue (the same empty queue for every producer).
 */
async function timedProduce({ url, queue, warmup = 0 }, messages, publishChunk) {
  for (let i = 0; i < warmup; i += WINDOW) await publishChunk(i, Math.min(warmup, i + WINDOW));
  await purge(url, queue); // the warm-up and any declaring message: every producer starts from an empty queue
  return timedWindow(messages, async () => {
    for (let i = 0; i < messages; i += WINDOW) await publishChunk(i, Math.min(messages, i + WINDOW));
  });
}

async function pubRaw({ url, queue, messages, size, warmup }) {
  const amqp = require('amqplib');
  const model = await amqp.connect(url);
  const lost = lostConnection(model);
  const channel = await model.createConfirmChannel();
  const make = messageFactory(size);
  const result = await timedProduce({ url, queue, warmup }, messages, async (from, to) => {
    for (let i = from; i < to; i++)
      if (
        !channel.sendToQueue(queue, Buffer.from(JSON.stringify(make(i))), {
          persistent: true,
          ...taskProperties(),
        })
      )
        await Promise.race([new Promise((r) => channel.once('drain', r)), lost]);
    await Promise.race([channel.waitForConfirms(), lost]);
  });
  model.removeAllListeners('close');
  await model.close();
  return result;
}

async function pubTask({ url, queue, messages, size, warmup }) {
  require('reflect-metadata');
  const { Module } = require('@nestjs/common');
  const { NestFactory } = require('@nestjs/core');
  const { TaskQueueModule, TaskQueue } = require('@databus/queue');
  class BenchModule {}
  Module({ imports: [TaskQueueModule.forRoot({ url, registerHandlers: false })] })(BenchModule);
  const app = await NestFactory.createApplicationContext(BenchModule, { logger: false });
  await app.init();
  const tq = app.get(TaskQueue);
  const make = messageFactory(size);
  await tq.enqueue(queue, make(0)); // declare + open the connection (purged with the warm-up)
  const result = await timedProduce({ url, queue, warmup }, messages, async (from, to) => {
    const pending = [];
    for (let i = from; i < to; i++) pending.push(tq.enqueue(queue, make(i)));
    await Promise.all(pending);
  });
  await app.close();
  return result;
}

async function pubNest({ url, queue, messages, size, warmup }) {
  require('reflect-metadata');
  const { ClientProxyFactory, RmqRecordBuilder, Transport } = require('@nestjs/microservices');
  const { lastValueFrom } = require('rxjs');
  require('@nestjs/common').Logger.overrideLogger(false);
  const client = ClientProxyFactory.create({
    transport: Transport.RMQ,
    options: { urls: [url], queue, queueOptions: { durable: true }, persistent: true },
  });
  await client.connect();
  const make = messageFactory(size);
  // RmqRecord options become the message's properties; the body stays Nest's {pattern, data}
  const record = (i) => new RmqRecordBuilder(make(i).data).setOptions(taskProperties()).build();
  await lastValueFrom(client.emit('bench.event', record(0)), { defaultValue: undefined });
  const result = await timedProduce({ url, queue, warmup }, messages, async (from, to) => {
    const pending = [];
    for (let i = from; i < to; i++)
      pending.push(lastValueFrom(client.emit('bench.event', record(i)), { defaultValue: undefined }));
    await Promise.all(pending);
  });
  await client.close();
  return result;
}

async function pubGolevelup({ url, queue, messages, size, warmup }) {
  require('reflect-metadata');
  const { Module } = require('@nestjs/common');
  const { NestFactory } = require('@nestjs/core');
  const { RabbitMQModule, AmqpConnection } = require('@golevelup/nestjs-rabbitmq');
  class BenchModule {}
  Module({
    imports: [
      RabbitMQModule.forRoot({
        uri: url,
        enableDirectReplyTo: false,
        connectionInitOptions: { wait: true },
        logger: { log() {}, error() {}, warn() {}, debug() {}, verbose() {} },
      }),
    ],
  })(BenchModule);
  const app = await NestFactory.createApplicationContext(BenchModule, { logger: false });
  await app.init();
  const amqp = app.get(AmqpConnection);
  const make = messageFactory(size);
  const options = () => ({ persistent: true, ...taskProperties() });
  await amqp.publish('', queue, make(0), options());
  const result = await timedProduce({ url, queue, warmup }, messages, async (from, to) => {
    const pending = [];
    for (let i = from; i < to; i++) pending.push(amqp.publish('', queue, make(i), options()));
    await Promise.all(pending);
  });
  await app.close();
  return result;
}

/** Raw producer at a fixed rate (for latency): every 10 ms, the messages due by now. */
async function pubRate({ url, queue, messages, size, rate }) {
  const amqp = require('amqplib');
  const model = await amqp.connect(url);
  const lost = lostConnection(model);
  const channel = await model.createConfirmChannel();
  const make = messageFactory(size);
  const t0 = now();
  let sent = 0;
  while (sent < messages) {
    const due = Math.min(messages, Math.floor(((now() - t0) / 1000) * rate) + 1);
    for (; sent < due; sent++)
      channel.sendToQueue(queue, Buffer.from(JSON.stringify(make(sent))), {
        persistent: true,
        contentType: 'application/json',
      });
    await new Promise((r) => setTimeout(r, 10));
  }
  await Promise.race([channel.waitForConfirms(), lost]);
  model.removeAllListeners('close');
  await model.close();
  return { messages: sent };
}

const CHILDREN = {
  'con:raw': conRaw,
  'con:raw-multiack': conRawMultiAck,
  'con:task': conTask,
  'con:nest': conNest,
  'con:golevelup': conGolevelup,
  'pub:raw': pubRaw,
  'pub:raw-multiack': pubRaw,
  'pub:task': pubTask,
  'pub:nest': pubNest,
  'pub:golevelup': pubGolevelup,
  'pub:rate': pubRate,
};

// ---------------------------------------------------------------- driver --------------------------------

/**
 * The names of the AMQP properties (and application headers) of the first message in `queue`, which is put
 * back: what a producer of the comparison really sent.
 */
async function sentProperties(url, queue) {
  return admin(url, async (model) => {
    const channel = await model.createChannel();
    try {
      const message = await channel.get(queue, { noAck: false });
      if (!message) throw new Error(`no message in ${queue} to read the properties of`);
      channel.nack(message, false, true);
      const { headers, ...properties } = message.properties;
      return [
        ...Object.keys(properties).filter(
          (name) => properties[name] !== undefined && properties[name] !== null,
        ),
        ...Object.keys(headers ?? {}).map((name) => `headers.${name}`),
      ].sort();
    } finally {
      await channel.close().catch(() => undefined);
    }
  });
}

/**
 * Fails the comparison when a producer sent other properties than `TaskQueue.enqueue` (`sent.task`): the produce
 * rows compare like for like only while every side sends what `taskProperties()` copies from `enqueue` (§10a:
 * past ~60 bytes of properties the broker's cost per message jumps), so a change to either must show here.
 */
function assertSameProperties(sent) {
  if (!sent.task) return;
  const expected = sent.task.join(', ');
  for (const [kind, names] of Object.entries(sent))
    if (names.join(', ') !== expected)
      throw new Error(
        `amqp bench: the ${kind} producer sent the properties [${names.join(', ')}], TaskQueue.enqueue [${expected}]: ` +
          'make taskProperties() send what enqueue sends, or the produce rows do not compare like for like',
      );
}

async function admin(url, fn) {
  const amqp = require('amqplib');
  const model = await amqp.connect(url);
  model.on('error', () => undefined);
  try {
    return await fn(model);
  } finally {
    await model.close().catch(() => undefined);
  }
}

async function withChannel(model, fn) {
  const channel = await model.createChannel();
  channel.on('error', () => undefined);
  try {
    return await fn(channel);
  } catch {
    return undefined;
  } finally {
    await channel.close().catch(() => undefined);
  }
}

/** Queues of interrupted earlier runs, listed with rabbitmqctl when it is available; [] otherwise. */
function leftovers() {
  try {
    return execFileSync('rabbitmqctl', ['list_queues', '-q', '--no-table-headers', 'name'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 20_000,
    })
      .split('\n')
      .map((l) => l.trim())
      .filter((n) => /^bench-q-[0-9a-f]{8}-/.test(n));
  } catch {
    return [];
  }
}

async function deleteQueues(url, names) {
  await admin(url, async (model) => {
    for (const name of names) await withChannel(model, (ch) => ch.deleteQueue(name));
  });
}

async function purge(url, queue) {
  await admin(url, (model) => withChannel(model, (ch) => ch.purgeQueue(queue)));
}

/**
 * Profiles one forked run of `kind` ('con:task', 'pub:task', …) over `messages` into `path` (the measured
 * window only). A consumer run drains a queue that a raw producer pre-fills. Cleans its queue up.
 */
export async function profileAmqp(
  kind,
  path,
  { messages = 30_000, warmup = 10_000, prefetch = 100, size = 256, url = URL_DEFAULT } = {},
) {
  const queue = `bench-q-${randomUUID().slice(0, 8)}-profile`;
  try {
    await admin(url, (model) => withChannel(model, (ch) => ch.assertQueue(queue, { durable: true })));
    if (kind.startsWith('con:')) await forkRun(SELF, 'pub:raw', { url, queue, messages, size }).result;
    return await forkRun(
      SELF,
      kind,
      { url, queue, messages, warmup, prefetch, size },
      { env: { BENCH_PROFILE: path } },
    ).result;
  } finally {
    await deleteQueues(url, [queue, `${queue}.dlq`]).catch(() => undefined);
  }
}

/**
 * Runs the comparison. Options: messages, warmup (messages each producer sends, then purged, before its
 * measured run), repetitions, prefetch, size, latencyRate, latencyMessages, kinds,
 * url, log (progress lines to stderr).
 */
export async function measureAmqpQueue(options = {}) {
  const messages = options.messages ?? 20_000;
  const warmup = options.warmup ?? 10_000;
  const repetitions = options.repetitions ?? 3;
  const prefetch = options.prefetch ?? 100;
  const size = options.size ?? 256;
  const latencyRate = options.latencyRate ?? 1000;
  const latencyMessages = options.latencyMessages ?? 4000;
  const kinds = options.kinds ?? AMQP_KINDS;
  const url = options.url ?? URL_DEFAULT;
  const log = options.log ?? (() => undefined);
  const run = randomUUID().slice(0, 8);
  const queueOf = (kind) => `bench-q-${run}-${kind}`;
  const all = kinds.flatMap((k) => [queueOf(k), `${queueOf(k)}.dlq`]);
  const runs = emptyRuns(kinds);
  await deleteQueues(url, leftovers());
  try {
    await admin(url, async (model) => {
      for (const kind of kinds)
        await withChannel(model, (ch) => ch.assertQueue(queueOf(kind), { durable: true }));
    });
    // warm-up (not recorded): the first latency run of a session is often an outlier
    {
      const queue = queueOf(kinds[0]);
      const consumer = forkRun(SELF, `con:${kinds[0]}`, {
        url,
        queue,
        messages: 300,
        prefetch,
        latency: true,
      });
      await consumer.ready;
      await Promise.all([
        consumer.result,
        forkRun(SELF, 'pub:rate', { url, queue, messages: 300, size, rate: latencyRate }).result,
      ]);
    }
    const sent = {};
    for (let rep = 0; rep < repetitions; rep++) {
      if (rep === 1) assertSameProperties(sent);
      // Odd repetitions run the kinds in reverse, so that no kind always runs after the same one.
      for (const kind of rep % 2 ? [...kinds].reverse() : kinds) {
        const queue = queueOf(kind);
        const [produced, consumed, lat] = await retrying(
          `amqp rep ${rep + 1} ${kind}`,
          async () => {
            await admin(url, (model) => withChannel(model, (ch) => ch.assertQueue(queue, { durable: true })));
            await purge(url, queue);
            const p = await forkRun(SELF, `pub:${kind}`, { url, queue, messages, size, warmup }).result;
            if (rep === 0) sent[kind] = await sentProperties(url, queue);
            const c = await forkRun(SELF, `con:${kind}`, { url, queue, messages, prefetch }).result;
            // latency at a fixed moderate rate (on an empty queue)
            await purge(url, queue);
            const consumer = forkRun(SELF, `con:${kind}`, {
              url,
              queue,
              messages: latencyMessages,
              prefetch,
              latency: true,
            });
            try {
              await consumer.ready;
              const producer = forkRun(SELF, 'pub:rate', {
                url,
                queue,
                messages: latencyMessages,
                size,
                rate: latencyRate,
              });
              const [l] = await Promise.all([consumer.result, producer.result]);
              return [p, c, l];
            } finally {
              consumer.kill();
            }
          },
          { ports: [5672], log },
        );
        record(runs, kind, [produced, consumed, lat], { name: 'amqp', rep, repetitions, log });
      }
    }
  } finally {
    await deleteQueues(url, all).catch((e) =>
      console.error(`amqp bench: could not delete queues: ${e.message}`),
    );
  }
  return summarizeRuns({
    labels: AMQP_LABELS,
    messages,
    warmup,
    repetitions,
    prefetch,
    size,
    latencyRate,
    latencyMessages,
    kinds,
    runs,
  });
}

async function main() {
  const argv = process.argv.slice(2);
  const flag = textFlag(argv);
  const result = await measureAmqpQueue({
    messages: Number(flag('messages', 20_000)),
    warmup: Number(flag('warmup', 10_000)),
    repetitions: Number(flag('repetitions', 3)),
    prefetch: Number(flag('prefetch', 100)),
    size: Number(flag('size', 256)),
    latencyRate: Number(flag('latency-rate', 1000)),
    latencyMessages: Number(flag('latency-messages', 4000)),
    kinds: flag('kinds', AMQP_KINDS.join(',')).split(','),
    log: argv.includes('--json') ? undefined : (line) => console.error(line),
  });
  if (argv.includes('--json')) return console.log(JSON.stringify(result, null, 2));
  printSummary(result);
}

const child = childArgs();
if (child) runChild(() => CHILDREN[child[0]](child[1]));
else runIfMain(SELF, main);
