// Memory transport: dispatch rate through @OnDatasetMessage with commits, the shared runtime's cost per
// message, and how the cost grows with payload size, handler concurrency and the number of subscriptions;
// bootstrap time with many decorated handlers. Uses @databus/streaming's built dist.
//
//   node bench/memory-scale.mjs [--quick] [--json]
//
// Every configuration runs in its own forked process (one core's worth of work: producer and consumer are
// in-process, the memory broker has no I/O). In it: one warm-up, then `repetitions` alternations of
//   databus   N messages pre-produced, then a decorated handler consumes them (timed first → N-th message,
//             commits included, bootstrap excluded)
//   baseline  the same handler work without the runtime: JSON.parse of the same bodies, await the handler
// `runtime µs/msg` = databus CPU/msg − baseline CPU/msg (what retry wrapper, ordering, ack tracking and the
// watermark commit cost per message).
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import {
  childArgs,
  forkRun,
  median,
  messageFactory,
  runChild,
  startProfiler,
  stats,
  benchRequire,
  retrying,
} from './lib/common.mjs';

const require = benchRequire(import.meta.url);
const SELF = fileURLToPath(import.meta.url);

function decorate(decorator, proto, name) {
  Reflect.decorate([decorator], proto, name, Object.getOwnPropertyDescriptor(proto, name));
}

/** One databus run: `datasets` datasets with one handler each, `messages` in total, pre-produced. */
export async function runDatabus({
  messages,
  size,
  concurrency,
  batch,
  datasets,
  keys,
  profile,
  tracing = false,
}) {
  require('reflect-metadata');
  const { Module } = require('@nestjs/common');
  const { NestFactory } = require('@nestjs/core');
  const {
    StreamingModule,
    OnDatasetMessage,
    ChannelService,
    Offset,
    MemoryStreaming,
  } = require('@databus/streaming');
  const broker = `bench-${Math.random().toString(36).slice(2)}`;
  let handled = 0;
  let start = 0;
  let cpu0;
  let finish;
  let profiler;
  const finished = new Promise((r) => (finish = r));
  class Sink {}
  const names = Array.from({ length: datasets }, (_, i) => `bench-${i}`);
  names.forEach((dataset, i) => {
    Sink.prototype[`on${i}`] = function (payload) {
      if (handled === 0) {
        if (profile) profiler = startProfiler();
        start = performance.now();
        cpu0 = process.cpuUsage();
      }
      if (payload.data.seq === undefined) throw new Error('bad payload');
      if (++handled === messages) finish();
    };
    decorate(
      OnDatasetMessage(dataset, {
        offset: Offset.BEGIN,
        batch,
        prefetch: Math.max(batch * 4, concurrency),
        concurrency,
        maxWaitMs: 1,
      }),
      Sink.prototype,
      `on${i}`,
    );
  });
  // Produce everything first, from a second app on the same named memory broker: the handler's app
  // subscribes (and starts consuming) as soon as it is created, so it must not exist yet.
  const streaming = () => StreamingModule.forRoot({ url: `memory://${broker}`, logger: false, tracing });
  class ProducerModule {}
  Reflect.decorate([Module({ imports: [streaming()] })], ProducerModule);
  const producer = await NestFactory.createApplicationContext(ProducerModule, { logger: false });
  const channel = producer.get(ChannelService);
  const make = messageFactory(size);
  const perDataset = Math.ceil(messages / datasets);
  let produced = 0;
  for (const dataset of names) {
    const count = Math.min(perDataset, messages - produced);
    for (let i = 0; i < count; i += 1000) {
      const chunk = [];
      for (let j = i; j < Math.min(count, i + 1000); j++)
        chunk.push({ value: make(produced + j), key: `k${j % keys}` });
      await channel.produceMany(dataset, chunk);
    }
    produced += count;
  }
  class AppModule {}
  Reflect.decorate([Module({ imports: [streaming()], providers: [Sink] })], AppModule);
  const t1 = performance.now();
  const app = await NestFactory.createApplicationContext(AppModule, { logger: false }); // subscribes
  const initMs = performance.now() - t1;
  await finished;
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu0);
  if (profiler) await profiler.stop(profile);
  await app.close();
  await producer.close();
  MemoryStreaming.reset(broker);
  return {
    rate: (messages / ms) * 1000,
    cpuUsPerMsg: (used.user + used.system) / messages,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
    initMs,
  };
}

/** The same work without the runtime: parse each body and await the handler, one at a time. */
async function runBaseline({ messages, size }) {
  const make = messageFactory(size);
  const bodies = Array.from({ length: Math.min(messages, 1000) }, (_, i) =>
    Buffer.from(JSON.stringify(make(i))),
  );
  let handled = 0;
  const handler = async (payload) => {
    if (payload.data.seq === undefined) throw new Error('bad payload');
    handled++;
  };
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < messages; i++) await handler(JSON.parse(bodies[i % bodies.length].toString('utf8')));
  const ms = performance.now() - t0;
  const used = process.cpuUsage(cpu0);
  return { rate: (messages / ms) * 1000, cpuUsPerMsg: (used.user + used.system) / messages, handled };
}

/** Bootstrap (create + init) of an app with `handlers` decorated methods on as many datasets. */
async function runBootstrap({ handlers }) {
  require('reflect-metadata');
  const { Module } = require('@nestjs/common');
  const { NestFactory } = require('@nestjs/core');
  const { StreamingModule, OnDatasetMessage, Offset, MemoryStreaming } = require('@databus/streaming');
  const broker = `bench-${Math.random().toString(36).slice(2)}`;
  class Sink {}
  for (let i = 0; i < handlers; i++) {
    Sink.prototype[`on${i}`] = () => undefined;
    decorate(OnDatasetMessage(`boot-${i}`, { offset: Offset.BEGIN }), Sink.prototype, `on${i}`);
  }
  class AppModule {}
  Reflect.decorate(
    [
      Module({
        imports: [StreamingModule.forRoot({ url: `memory://${broker}`, logger: false, tracing: false })],
        providers: [Sink],
      }),
    ],
    AppModule,
  );
  const t0 = performance.now();
  const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
  await app.init();
  const ms = performance.now() - t0;
  const t1 = performance.now();
  await app.close();
  const closeMs = performance.now() - t1;
  MemoryStreaming.reset(broker);
  return { ms, closeMs, peakRssMB: process.resourceUsage().maxRSS / 1024 };
}

/** Child: warm-up, then alternate databus and baseline `repetitions` times (or one profiled run). */
async function childConfig(config) {
  if (config.kind === 'profile') {
    await runDatabus({ ...config, messages: 10_000 });
    return runDatabus(config);
  }
  if (config.kind === 'bootstrap') {
    await runBootstrap({ handlers: 10 }); // warm the module loader and JIT
    const runs = [];
    for (let r = 0; r < config.repetitions; r++) runs.push(await runBootstrap(config));
    return { bootstrapMs: stats(runs.map((x) => x.ms)), closeMs: median(runs.map((x) => x.closeMs)) };
  }
  await runDatabus({ ...config, messages: Math.min(config.messages, 5000) });
  await runBaseline({ ...config, messages: Math.min(config.messages, 5000) });
  const ours = [];
  const base = [];
  for (let r = 0; r < config.repetitions; r++) {
    ours.push(await runDatabus(config));
    base.push(await runBaseline(config));
  }
  const cpu = median(ours.map((x) => x.cpuUsPerMsg));
  const baseCpu = median(base.map((x) => x.cpuUsPerMsg));
  return {
    rate: stats(ours.map((x) => x.rate)),
    cpuUsPerMsg: cpu,
    baselineRate: median(base.map((x) => x.rate)),
    baselineCpuUsPerMsg: baseCpu,
    runtimeUsPerMsg: cpu - baseCpu,
    peakRssMB: Math.max(...ours.map((x) => x.peakRssMB)),
    initMs: median(ours.map((x) => x.initMs)),
  };
}

/** The configurations of a run. */
export function memoryConfigs(quick) {
  const N = quick ? 20_000 : 100_000;
  const repetitions = quick ? 2 : 3;
  const base = { messages: N, size: 256, concurrency: 1, batch: 100, datasets: 1, keys: 256, repetitions };
  const cap = (size) => Math.max(2000, Math.min(N, Math.floor(((quick ? 32 : 64) * 2 ** 20) / size)));
  return [
    { group: 'dispatch', label: 'concurrency 1, batch 100', ...base },
    ...(quick
      ? []
      : [{ group: 'dispatch', label: 'concurrency 16, batch 500', ...base, concurrency: 16, batch: 500 }]),
    ...(quick ? [65_536] : [64, 1024, 4096, 16_384, 65_536]).map((size) => ({
      group: 'payload',
      label: `${size} B`,
      x: size,
      ...base,
      size,
      messages: cap(size),
    })),
    ...(quick ? [64] : [1, 4, 16, 64]).map((concurrency) => ({
      group: 'concurrency',
      label: `concurrency ${concurrency}`,
      x: concurrency,
      ...base,
      concurrency,
    })),
    ...(quick ? [500] : [1, 10, 100, 500]).map((datasets) => ({
      group: 'subscriptions',
      label: `${datasets} datasets`,
      x: datasets,
      ...base,
      datasets,
      messages: Math.max(N, datasets * 100),
    })),
    { group: 'bootstrap', label: '500 decorated handlers', kind: 'bootstrap', handlers: 500, repetitions },
  ];
}

/** Profiles the consume window of one decorated-handler run (concurrency 1, batch 100) into `path`. */
export async function profileMemory(path, messages = 100_000) {
  const config = {
    kind: 'profile',
    profile: path,
    messages,
    size: 256,
    concurrency: 1,
    batch: 100,
    datasets: 1,
    keys: 256,
  };
  return forkRun(SELF, 'config', config, { timeoutMs: 300_000 }).result;
}

/** Runs every configuration (each in a fresh process) and returns their results. */
export async function measureMemory({ quick = false, log = () => undefined } = {}) {
  const results = [];
  for (const config of memoryConfigs(quick)) {
    const result = await retrying(
      `memory ${config.group} ${config.label}`,
      () => forkRun(SELF, 'config', config, { timeoutMs: 300_000 }).result,
      { log },
    );
    results.push({ ...config, result });
    log(
      `memory ${config.group} ${config.label}: ` +
        (result.rate
          ? `${Math.round(result.rate.median)} msg/s, ${result.cpuUsPerMsg.toFixed(2)} µs/msg (runtime ${result.runtimeUsPerMsg.toFixed(2)})`
          : `${result.bootstrapMs.median.toFixed(0)} ms`),
    );
  }
  return { quick, results };
}

const child = childArgs();
if (child) runChild(() => childConfig(child[1]));
else if (process.argv[1] === SELF) {
  const json = process.argv.includes('--json');
  measureMemory({ quick: process.argv.includes('--quick'), log: json ? undefined : console.error })
    .then((r) => json && console.log(JSON.stringify(r, null, 2)))
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
}
