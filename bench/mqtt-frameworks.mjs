// MQTT (Mosquitto, QoS 1): @OnDatasetMessage on the mqtt:// transport against raw mqtt.js and
// @nestjs/microservices (Transport.MQTT, subscribeOptions qos 1), same 256-byte JSON, same publisher.
//
//   node bench/mqtt-frameworks.mjs [--messages 20000] [--repetitions 3] [--window 400] [--prefetch 100]
//                                  [--latency-rate 1000] [--latency-messages 4000] [--latency-warmup 1000]
//                                  [--kinds raw,databus,nest,plain]
//                                  [--cases produce,consume,latency] [--warmup 10000] [--json]
//
// MQTT keeps no history for a new subscriber, so consumption is measured end to end: a forked consumer
// subscribes, then a forked raw publisher sends N QoS 1 messages. Mosquitto's defaults silently DROP QoS 1
// messages to a subscriber that falls behind (max_queued_messages 1000), so the publisher is flow
// controlled by the consumer's progress: published − handled ≤ window (400 was lossless in the baseline).
// A lost message fails the run (it never reaches N and times out). The consumer's rate is first → N-th
// handled message, with its CPU per message and peak RSS. databus subscribes through a group, i.e. an
// MQTT 5 shared subscription ($share/<group>/<topic>); raw mqtt.js does the same (MQTT 5, $share) so the
// broker work is equal; Nest subscribes to the plain topic (what its transport does) and PUBACKs on receipt
// (mqtt.js's automatic PUBACK, before its handler ran). The `plain` kind is databus on the plain topic too
// (ChannelService.subscribe with a callback, no group: no $share, no persistent session, still PUBACK after
// the callback), consume only: the like-for-like row against Nest.
// Produce: N QoS 1 publishes with at most `window` awaiting PUBACK, no subscriber (raw publishAsync,
// ChannelService.produce, ClientMqtt.emit of an MqttRecord with QoS 1), all three over MQTT 5; each producer
// first sends --warmup messages (10000) the same way, untimed, to the same subscriber-less topic (the steady-state
// cost, without V8 compiling each side's path inside the window; like-for-like: every side sends the same
// messages through the same calls, and nothing is left behind). Latency: the publisher sends at a fixed rate instead,
// --latency-warmup messages (1000) first at that rate, which every consumer handles but does not measure (their
// p99 is reported apart, as warmupP99Ms): the p99 is the steady state's, not V8 compiling each side's consume
// path on the first messages (analysis §10c, §14).
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
const URL_DEFAULT = process.env.MQTT_URL ?? 'mqtt://127.0.0.1:1883';
export const MQTT_KINDS = ['raw', 'databus', 'nest', 'plain'];
export const MQTT_LABELS = {
  raw: 'raw mqtt.js',
  databus: '@databus/streaming @OnDatasetMessage / produce',
  nest: '@nestjs/microservices MQTT',
  plain: '@databus/streaming @OnDatasetMessage, no group (plain topic, as Nest)',
};
/**
 * Kinds measured for consumption only: `plain` is databus's consumer on the plain topic (no group, so no shared
 * subscription and no persistent session), still PUBACKing after the handler: the like-for-like row against
 * Nest, which subscribes the plain topic. Its publisher would be databus's own again.
 */
const CONSUME_ONLY = new Set(['plain']);
const GROUP = 'bench';
/** The result of a case left out by `cases` (NaN figures). */
const SKIPPED = Object.freeze({ rate: NaN, cpuUsPerMsg: NaN, peakRssMB: NaN, p50Ms: NaN, p99Ms: NaN });

/** Posts progress every `every` handled messages (the publisher's credit). */
function withProgress(meter, every = 50) {
  return (data) => {
    meter.tick(data);
    if (meter.count % every === 0) process.send({ type: 'progress', count: meter.count });
  };
}

async function conRaw({ url, topic, messages, latency, untimed = 0 }) {
  const mqtt = require('mqtt');
  const client = await mqtt.connectAsync(url, {
    protocolVersion: 5,
    clean: true,
    clientId: `bench-raw-${randomUUID().slice(0, 8)}`,
  });
  const meter = createMeter(messages, { latency, warmup: untimed });
  const tick = withProgress(meter);
  client.on('message', (_topic, payload) => tick(JSON.parse(payload.toString('utf8')).data));
  await client.subscribeAsync(`$share/${GROUP}/${topic}`, { qos: 1 });
  process.send({ type: 'ready' });
  const result = await meter.done;
  await client.endAsync();
  return result;
}

async function conDatabus({ url, topic, messages, latency, prefetch, untimed = 0 }) {
  require('reflect-metadata');
  const { Injectable, Module } = require('@nestjs/common');
  const { NestFactory } = require('@nestjs/core');
  const { StreamingModule, OnDatasetMessage, ChannelService } = require('@databus/streaming');
  const meter = createMeter(messages, { latency, warmup: untimed });
  const tick = withProgress(meter);
  class Consumer {
    on(payload) {
      tick(payload.data);
    }
  }
  // throughput runs take batches of 100; latency runs use batch 1 (the low-latency setting)
  // The dataset whose MQTT topic is `topic`: its dots are the topic's levels.
  OnDatasetMessage(topic.replaceAll('/', '.'), {
    group: GROUP,
    prefetch,
    batch: latency ? 1 : 100,
    retry: { attempts: 1 },
  })(Consumer.prototype, 'on', Object.getOwnPropertyDescriptor(Consumer.prototype, 'on'));
  Injectable()(Consumer);
  class BenchModule {}
  Module({ imports: [StreamingModule.forRoot({ url, logger: false })], providers: [Consumer] })(BenchModule);
  const app = await NestFactory.createApplicationContext(BenchModule, { logger: false });
  await app.init();
  if (app.get(ChannelService).transportName !== 'mqtt') throw new Error('the mqtt transport is not in use');
  process.send({ type: 'ready' });
  const result = await meter.done;
  await app.close();
  return result;
}

/**
 * databus on the plain topic, like Nest: `ChannelService.subscribe` with a callback and no group (a private,
 * non-durable subscription: no `$share`, clean session), the handler semantics of a decorated handler (PUBACK
 * after the callback resolved, retry with attempts 1), batch 100, prefetch 100.
 */
async function conPlain({ url, topic, messages, latency, prefetch, untimed = 0 }) {
  require('reflect-metadata');
  const { Module } = require('@nestjs/common');
  const { NestFactory } = require('@nestjs/core');
  const { StreamingModule, ChannelService } = require('@databus/streaming');
  const meter = createMeter(messages, { latency, warmup: untimed });
  const tick = withProgress(meter);
  class BenchModule {}
  Module({ imports: [StreamingModule.forRoot({ url, logger: false })] })(BenchModule);
  const app = await NestFactory.createApplicationContext(BenchModule, { logger: false });
  await app.init();
  const channel = app.get(ChannelService);
  if (channel.transportName !== 'mqtt') throw new Error('the mqtt transport is not in use');
  const sub = await channel.subscribe(topic.replaceAll('/', '.'), {
    prefetch,
    batch: latency ? 1 : 100,
    maxWaitMs: 100,
    retry: { attempts: 1 },
    callback: (msg) => tick(msg.json().data),
  });
  process.send({ type: 'ready' });
  const result = await meter.done;
  await sub.close();
  await app.close();
  return result;
}

async function conNest({ url, topic, messages, latency, untimed = 0 }) {
  require('reflect-metadata');
  const { Controller, Module } = require('@nestjs/common');
  const { NestFactory } = require('@nestjs/core');
  const { Transport, EventPattern, Payload } = require('@nestjs/microservices');
  const meter = createMeter(messages, { latency, warmup: untimed });
  const tick = withProgress(meter);
  let probed;
  const probe = new Promise((r) => (probed = r));
  class Consumer {
    on(data) {
      if (data?.probe) return probed();
      tick(data);
    }
  }
  const proto = Consumer.prototype;
  EventPattern(topic)(proto, 'on', Object.getOwnPropertyDescriptor(proto, 'on'));
  Payload()(proto, 'on', 0);
  Controller()(Consumer);
  class BenchModule {}
  Module({ controllers: [Consumer] })(BenchModule);
  const app = await NestFactory.createMicroservice(BenchModule, {
    transport: Transport.MQTT,
    options: { url, subscribeOptions: { qos: 1 } },
    logger: false,
  });
  await app.listen();
  // listen() resolves before the broker has confirmed the SUBSCRIBE: publish probes until one arrives, so the
  // measured messages are not sent into a subscription that does not exist yet (they would be lost).
  const mqtt = require('mqtt');
  const prober = await mqtt.connectAsync(url, { clientId: `bench-probe-${randomUUID().slice(0, 8)}` });
  for (let arrived = false; !arrived;) {
    await prober.publishAsync(topic, JSON.stringify({ pattern: topic, data: { probe: true } }), { qos: 1 });
    arrived = await Promise.race([
      probe.then(() => true),
      new Promise((r) => setTimeout(() => r(false), 200)),
    ]);
  }
  await prober.endAsync();
  process.send({ type: 'ready' });
  const result = await meter.done;
  await app.close();
  return result;
}

/** Raw publisher driven by the consumer's progress (credit) or by a fixed rate. */
async function pubDriven({ url, topic, messages: measured, size, window, rate, untimed = 0 }) {
  const messages = untimed + measured;
  const mqtt = require('mqtt');
  const client = await mqtt.connectAsync(url, {
    protocolVersion: 5,
    clean: true,
    clientId: `bench-pub-${randomUUID().slice(0, 8)}`,
  });
  const make = messageFactory(size, topic);
  let seen = 0;
  let wake;
  process.on('message', (msg) => {
    if (msg?.type === 'seen') {
      seen = msg.count;
      wake?.();
    }
  });
  let sent = 0;
  const acks = [];
  const t0 = now();
  while (sent < messages) {
    const limit = rate
      ? Math.min(messages, Math.floor(((now() - t0) / 1000) * rate) + 1)
      : Math.min(messages, seen + window);
    for (; sent < limit; sent++)
      acks.push(client.publishAsync(topic, JSON.stringify(make(sent)), { qos: 1 }));
    if (acks.length > 2000) await Promise.all(acks.splice(0));
    await new Promise((r) => {
      wake = r;
      setTimeout(r, rate ? 5 : 50);
    });
  }
  await Promise.all(acks);
  await client.endAsync();
  return { sent };
}

/** The Receive Maximum the broker announces in its MQTT 5 CONNACK (65535, the protocol's default, when absent). */
async function brokerReceiveMaximum(url) {
  const mqtt = require('mqtt');
  const client = mqtt.connect(url, {
    protocolVersion: 5,
    clean: true,
    clientId: `bench-rm-${randomUUID().slice(0, 8)}`,
    reconnectPeriod: 0,
  });
  try {
    const connack = await new Promise((resolve, reject) => {
      client.once('connect', resolve);
      client.once('error', reject);
    });
    return connack.properties?.receiveMaximum ?? 65_535;
  } finally {
    await client.endAsync();
  }
}

/**
 * Produce-only: N QoS 1 publishes, at most `window` awaiting PUBACK, timed after `warmup` publishes made the same
 * way (not timed: V8 compiles the publish path of each side before the window, so a fixed compile cost is not
 * charged to the messages; the topic has no subscriber, so the warm-up leaves nothing behind).
 */
async function windowed(messages, window, publish, warmup = 0) {
  if (warmup > 0) await sendWindowed(warmup, window, publish);
  return timedWindow(messages, () => sendWindowed(messages, window, publish));
}

/** N publishes, at most `window` awaiting PUBACK; rejects with the first failure. */
async function sendWindowed(messages, window, publish) {
  // A counter and one waiter (Promise.race over the in-flight set would cost O(window) per message).
  let inflight = 0;
  let failed;
  let wake;
  const settle = (error) => {
    inflight--;
    if (error) failed ??= error;
    const w = wake;
    wake = undefined;
    w?.();
  };
  for (let i = 0; i < messages; i++) {
    while (inflight >= window) await new Promise((r) => (wake = r));
    if (failed) throw failed;
    inflight++;
    publish(i).then(() => settle(), settle);
  }
  while (inflight > 0) await new Promise((r) => (wake = r));
  if (failed) throw failed;
}

async function pubRaw({ url, topic, messages, size, window, warmup }) {
  const mqtt = require('mqtt');
  const client = await mqtt.connectAsync(url, {
    protocolVersion: 5,
    clean: true,
    clientId: `bench-rp-${randomUUID().slice(0, 8)}`,
  });
  const make = messageFactory(size, topic);
  await client.publishAsync(topic, JSON.stringify(make(0)), { qos: 1 });
  const result = await windowed(
    messages,
    window,
    (i) => client.publishAsync(topic, JSON.stringify(make(i)), { qos: 1 }),
    warmup,
  );
  await client.endAsync();
  return result;
}

async function pubDatabus({ url, topic, messages, size, window, warmup, transportOptions }) {
  require('reflect-metadata');
  const { Module } = require('@nestjs/common');
  const { NestFactory } = require('@nestjs/core');
  const { StreamingModule, ChannelService } = require('@databus/streaming');
  class BenchModule {}
  Module({ imports: [StreamingModule.forRoot({ url, logger: false, transportOptions })] })(BenchModule);
  const app = await NestFactory.createApplicationContext(BenchModule, { logger: false });
  await app.init();
  const channel = app.get(ChannelService);
  const make = messageFactory(size, topic);
  const dataset = topic.replaceAll('/', '.');
  await channel.produce(dataset, make(0));
  const result = await windowed(messages, window, (i) => channel.produce(dataset, make(i)), warmup);
  await app.close();
  return result;
}

async function pubNest({ url, topic, messages, size, window, warmup }) {
  require('reflect-metadata');
  require('@nestjs/common').Logger.overrideLogger(false);
  const { ClientProxyFactory, Transport, MqttRecordBuilder } = require('@nestjs/microservices');
  const { lastValueFrom } = require('rxjs');
  // The same work as the other two publishers: MQTT 5, QoS 1, each emit settling on its PUBACK. ClientMqtt's
  // emit() publishes with mqtt.js's defaults (QoS 0: settled once written, no PUBACK) unless the record asks
  // for a QoS, which Nest does through MqttRecordBuilder; protocolVersion goes to mqtt.connect as is.
  const client = ClientProxyFactory.create({
    transport: Transport.MQTT,
    options: { url, protocolVersion: 5 },
  });
  await client.connect();
  const make = messageFactory(size, topic);
  const emit = (i) =>
    lastValueFrom(client.emit(topic, new MqttRecordBuilder(make(i).data).setQoS(1).build()), {
      defaultValue: undefined,
    });
  await emit(0);
  const result = await windowed(messages, window, emit, warmup);
  await client.close();
  return result;
}

const CHILDREN = {
  'con:raw': conRaw,
  'con:databus': conDatabus,
  'con:nest': conNest,
  'con:plain': conPlain,
  'pub:driven': pubDriven,
  'pub:raw': pubRaw,
  'pub:databus': pubDatabus,
  'pub:nest': pubNest,
};

/** One end-to-end consumer run: consumer ready → publisher credited by the consumer's progress. */
async function consumeRun(kind, args, { rate, env } = {}) {
  let publisher;
  const consumer = forkRun(SELF, `con:${kind}`, args, {
    env,
    timeoutMs: 120_000,
    onMessage: (msg) => msg.type === 'progress' && publisher?.send({ type: 'seen', count: msg.count }),
  });
  await consumer.ready;
  publisher = forkRun(SELF, 'pub:driven', { ...args, rate }, { timeoutMs: 120_000 });
  try {
    const [result] = await Promise.all([consumer.result, publisher.result]);
    return result;
  } catch (error) {
    consumer.kill();
    publisher.kill();
    throw error;
  }
}

/** Profiles one forked run of `kind` ('con:databus', 'pub:databus', …) into `path` (measured window only). */
export async function profileMqtt(
  kind,
  path,
  { messages = 20_000, window = 400, prefetch = 100, size = 256, url = URL_DEFAULT } = {},
) {
  const topic = `bench/${randomUUID().slice(0, 8)}/profile`;
  const args = { url, topic, messages, size, window, prefetch };
  if (kind.startsWith('pub:')) {
    // The same lawful window as the measured produce case: at most the broker's Receive Maximum in flight.
    const produceWindow = Math.min(window, await brokerReceiveMaximum(url));
    return forkRun(SELF, kind, { ...args, window: produceWindow }, { env: { BENCH_PROFILE: path } }).result;
  }
  return consumeRun(kind.slice(4), args, { env: { BENCH_PROFILE: path } });
}

/**
 * Options: messages, warmup (10,000), repetitions, window, prefetch, size, latencyRate, latencyMessages,
 * latencyWarmup (1,000), kinds, cases
 * (a subset of produce, consume, latency: for A/B runs of one case; the full run measures all three), url, log.
 */
export async function measureMqtt(options = {}) {
  const messages = options.messages ?? 20_000;
  const warmup = options.warmup ?? 10_000;
  const repetitions = options.repetitions ?? 3;
  const window = options.window ?? 400;
  const prefetch = options.prefetch ?? 100;
  const size = options.size ?? 256;
  const latencyRate = options.latencyRate ?? 1000;
  const latencyMessages = options.latencyMessages ?? 4000;
  const latencyWarmup = options.latencyWarmup ?? 1000;
  const kinds = options.kinds ?? MQTT_KINDS;
  const cases = new Set(options.cases ?? ['produce', 'consume', 'latency']);
  const url = options.url ?? URL_DEFAULT;
  const log = options.log ?? (() => undefined);
  const run = randomUUID().slice(0, 8);
  // MQTT 5 lets a client keep at most the broker's Receive Maximum (CONNACK) QoS 1 publishes unacknowledged;
  // databus keeps to it, raw mqtt.js and Nest would not, so every publisher gets the same, lawful window.
  const receiveMaximum = await brokerReceiveMaximum(url);
  const produceWindow = Math.min(window, receiveMaximum);
  log(
    `mqtt: the broker's Receive Maximum is ${receiveMaximum}: ${produceWindow} publishes in flight on every side`,
  );
  const runs = emptyRuns(kinds);
  for (let rep = 0; rep < repetitions; rep++) {
    // Odd repetitions run the kinds in reverse, so that no kind always runs after the same one.
    for (const kind of rep % 2 ? [...kinds].reverse() : kinds) {
      const topic = `bench/${run}/${kind}/${rep}`;
      const base = { url, topic, size, window, prefetch };
      const [produced, consumed, lat] = await retrying(
        `mqtt rep ${rep + 1} ${kind}`,
        async () => [
          cases.has('produce') && !CONSUME_ONLY.has(kind)
            ? await forkRun(SELF, `pub:${kind}`, { ...base, window: produceWindow, messages, warmup }).result
            : SKIPPED,
          cases.has('consume') ? await consumeRun(kind, { ...base, messages }) : SKIPPED,
          cases.has('latency') && !CONSUME_ONLY.has(kind)
            ? await consumeRun(
                kind,
                {
                  ...base,
                  topic: `${topic}/lat`,
                  messages: latencyMessages,
                  untimed: latencyWarmup,
                  latency: true,
                },
                { rate: latencyRate },
              )
            : SKIPPED,
        ],
        { ports: [1883], log },
      );
      record(runs, kind, [produced, consumed, lat], { name: 'mqtt', rep, repetitions, log });
    }
  }
  return summarizeRuns({
    labels: MQTT_LABELS,
    messages,
    warmup,
    repetitions,
    window,
    receiveMaximum,
    produceWindow,
    prefetch,
    size,
    latencyRate,
    latencyMessages,
    latencyWarmup,
    kinds,
    runs,
  });
}

async function main() {
  const argv = process.argv.slice(2);
  const flag = textFlag(argv);
  const json = argv.includes('--json');
  const result = await measureMqtt({
    messages: Number(flag('messages', 20_000)),
    repetitions: Number(flag('repetitions', 3)),
    warmup: Number(flag('warmup', 10_000)),
    window: Number(flag('window', 400)),
    prefetch: Number(flag('prefetch', 100)),
    latencyRate: Number(flag('latency-rate', 1000)),
    latencyMessages: Number(flag('latency-messages', 4000)),
    latencyWarmup: Number(flag('latency-warmup', 1000)),
    kinds: flag('kinds', MQTT_KINDS.join(',')).split(','),
    cases: flag('cases', 'produce,consume,latency').split(','),
    log: json ? undefined : (line) => console.error(line),
  });
  if (json) return console.log(JSON.stringify(result, null, 2));
  printSummary(result);
}

const child = childArgs();
if (child) runChild(() => CHILDREN[child[0]](child[1]));
else runIfMain(SELF, main);
