// npm run bench [-- --quick] [-- --docs | --no-docs] [-- --only amqp-queue,mqtt,…] [-- --resume]
//                [-- --render bench/results/latest-full.json [--supplement a.json,…]]   (docs only, from saved results)
//
// Measures databus against the raw clients and the Nest libraries users would pick instead, on the loopback
// brokers (RabbitMQ 127.0.0.1:5672, Mosquitto 127.0.0.1:1883, NATS 127.0.0.1:4222, Kafka 127.0.0.1:9092 or
// KAFKA_BROKERS), plus the memory transport, scale and JwtManager. Prints a table, writes bench/results/<date>.json
// and (full runs, or --docs) docs/benchmarks.md + docs/benchmarks.svg (a run with --only: as a dated section
// under the last full run's tables, unless --docs). Builds the libraries first when a
// dist is missing. Every part is bounded and deletes the queues/streams it creates. After each part the results
// so far go to bench/results/partial-<mode>.json; `--resume` continues a run that was killed half-way.
// A run of some parts only (`--only kafka,kafka-produce`) goes into the docs as a separately dated section under
// the last full run's tables: `--render bench/results/latest-full.json --supplement bench/results/<that run>.json`.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import {
  ROOT,
  TRANSIENT,
  cpuTimes,
  environment,
  machineBusy,
  retrying,
  stealShare,
  waitForPort,
} from './lib/common.mjs';
import { collectRows, evaluateTargets, renderMarkdown, renderSvg, renderText } from './lib/report.mjs';
import { summarizeProfile } from './lib/cpu-profile.mjs';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const writeDocs = argv.includes('--docs') || (!quick && !argv.includes('--no-docs'));
const resume = argv.includes('--resume');
const onlyArg = argv.indexOf('--only');
const only = onlyArg >= 0 ? argv[onlyArg + 1].split(',') : undefined;
const log = (line) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);

const PACKAGES = ['libs/common', 'libs/auth', 'libs/streaming', 'libs/queue', 'libs/outbox'];
function ensureBuilt() {
  const missing = PACKAGES.filter((p) => !existsSync(join(ROOT, p, 'dist', 'index.js')));
  if (!missing.length) return;
  log(`building (no dist in ${missing.join(', ')})`);
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), ...PACKAGES], {
    stdio: 'inherit',
    cwd: ROOT,
  });
  if (r.status !== 0) throw new Error('the build failed; fix it before benchmarking');
}

/** Number of files under dir (recursively), or -1 when it is missing. */
function countFiles(dir) {
  try {
    return readdirSync(dir, { recursive: true }).length;
  } catch {
    return -1;
  }
}

/**
 * Copies the built libraries (package.json + dist) to node_modules/.databus-bench-snapshot/node_modules/@databus/*,
 * once their dist/ has stopped changing, and points the bench processes at it (DATABUS_BENCH_SNAPSHOT): a
 * concurrent build by another engineer then cannot pull dist/ away in the middle of a run.
 */
async function snapshotLibraries() {
  await distReady();
  const libs = PACKAGES;
  for (let stable = 0, last = '', round = 0; stable < 2 && round < 120; round++) {
    const now = libs.map((p) => countFiles(join(ROOT, p, 'dist'))).join(',');
    stable = now === last && !now.includes('-1') ? stable + 1 : 0;
    last = now;
    if (stable < 2) await new Promise((r) => setTimeout(r, 1500));
  }
  const base = join(ROOT, 'node_modules', '.databus-bench-snapshot');
  rmSync(base, { recursive: true, force: true });
  for (const lib of libs) {
    const name = JSON.parse(readFileSync(join(ROOT, lib, 'package.json'), 'utf8')).name;
    const target = join(base, 'node_modules', name);
    mkdirSync(target, { recursive: true });
    cpSync(join(ROOT, lib, 'package.json'), join(target, 'package.json'));
    cpSync(join(ROOT, lib, 'dist'), join(target, 'dist'), { recursive: true });
    // The outbox reads its SQL migrations beside dist/.
    if (existsSync(join(ROOT, lib, 'migrations')))
      cpSync(join(ROOT, lib, 'migrations'), join(target, 'migrations'), { recursive: true });
  }
  process.env.DATABUS_BENCH_SNAPSHOT = base;
  return () => rmSync(base, { recursive: true, force: true });
}

/** Waits (up to 3 minutes) while a concurrent build has removed a package's dist/. */
async function distReady() {
  for (let waited = 0; waited < 180_000; waited += 2000) {
    if (PACKAGES.every((p) => existsSync(join(ROOT, p, 'dist', 'index.js')))) return;
    if (waited === 0) log('waiting for dist/ (a build is running)');
    await new Promise((r) => setTimeout(r, 2000));
  }
  ensureBuilt();
}

/** Runs another engineer's bench file with --json as a child process; resolves with its JSON. */
function runJsonScript(file, args, timeoutMs) {
  return new Promise((resolve, reject) => {
    // Run a copy inside the snapshot folder, so its require() finds the snapshot of the libraries too.
    let script = join(ROOT, 'bench', file);
    if (process.env.DATABUS_BENCH_SNAPSHOT) {
      const copy = join(process.env.DATABUS_BENCH_SNAPSHOT, 'bench', file);
      mkdirSync(join(process.env.DATABUS_BENCH_SNAPSHOT, 'bench'), { recursive: true });
      cpSync(script, copy);
      // The scripts share bench/lib (common.mjs, …): copy it beside them.
      cpSync(join(ROOT, 'bench', 'lib'), join(process.env.DATABUS_BENCH_SNAPSHOT, 'bench', 'lib'), {
        recursive: true,
      });
      script = copy;
    }
    const child = spawn(process.execPath, [script, ...args, '--json'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      reject(new Error(`${file} did not finish within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`${file} exited with ${code}`));
      const start = out.search(/^\{/m);
      try {
        resolve(JSON.parse(out.slice(start)));
      } catch (error) {
        reject(new Error(`${file} printed no JSON (${error.message})`));
      }
    });
  });
}

const P = quick
  ? {
      queue: { messages: 4000, warmup: 4000, repetitions: 2, latencyMessages: 1000, latencyRate: 1000 },
      mqtt: {
        messages: 3000,
        warmup: 3000,
        repetitions: 2,
        latencyMessages: 1000,
        latencyWarmup: 300,
        latencyRate: 1000,
      },
      stream: { messages: 4000, repetitions: 2 },
      produce: { messages: 4000, warmup: 3000, repetitions: 2 },
      jwt: { calls: 100_000, repetitions: 2 },
    }
  : {
      queue: { messages: 20_000, repetitions: 5, latencyMessages: 4000, latencyRate: 1000 },
      mqtt: {
        messages: 20_000,
        repetitions: 5,
        latencyMessages: 4000,
        latencyWarmup: 1000,
        latencyRate: 1000,
      },
      stream: { messages: 20_000, repetitions: 3 },
      produce: { messages: 20_000, warmup: 10_000, repetitions: 5 },
      jwt: { calls: 200_000, repetitions: 3 },
    };

const NOTES = {
  'RabbitMQ work queue': `Durable classic queue, persistent 256-byte JSON (Nest's \`{pattern,data}\` envelope, so every library reads the same bytes), prefetch ${100}, manual ack per message; ${P.queue.messages} messages × ${P.queue.repetitions} repetitions per library. \`@TaskHandler\` runs with concurrency = prefetch and \`retry: false\` (one attempt; a failure would dead-letter); produce is \`TaskQueue.enqueue\` (resolves on the confirm), 1000 in flight. Consume = the queue is pre-filled, then the consumer drains it alone.`,
  'MQTT QoS 1': `Mosquitto, QoS 1, 256-byte JSON, ${P.mqtt.messages} messages × ${P.mqtt.repetitions} repetitions, end to end with a credit window of 400 (no history to drain on MQTT). \`@OnDatasetMessage\` uses a group (MQTT 5 shared subscription), prefetch 100 (its Receive Maximum), batch 100 (batch 1 in the latency runs); it acknowledges (PUBACK) after the handler. Raw mqtt.js uses the same shared subscription and PUBACKs on receipt. Nest: \`Transport.MQTT\`, \`subscribeOptions: { qos: 1 }\`, plain topic, PUBACK on receipt (mqtt.js's automatic one, before the handler ran); the consume target against Nest compares it with databus on the plain topic too (\`ChannelService.subscribe\` with a callback and no group: no shared subscription, no persistent session, still PUBACK after the handler, batch 100, prefetch 100; consume only). Produce: QoS 1 over MQTT 5 on every side, each publish settling on its PUBACK (Nest: \`ClientMqtt.emit\` of an \`MqttRecord\` with \`setQoS(1)\`, since its default is QoS 0), at most 400 awaiting PUBACK, or the broker's Receive Maximum (MQTT 5 CONNACK) when that is lower, the same window for every publisher (databus keeps to the Receive Maximum, as MQTT 5 requires; raw mqtt.js and Nest would exceed it), no subscriber. Latency: a raw publisher at ${P.mqtt.latencyRate} msg/s; every consumer first handles ${P.mqtt.latencyWarmup} messages that are not measured (their p99 is shown apart, as the warm-up p99: the cold start's tail), then ${P.mqtt.latencyMessages} measured ones.`,
  'RabbitMQ streams':
    'Stream queue (`x-queue-type: stream`), drained from the first offset: raw amqplib (prefetch 1000, ack per message) vs `@OnDatasetMessage` (durable group: also stores its offset) vs a private callback subscription (bench/streaming-amqp.mjs). Produce: `channel.produce` with 1000 in flight and `produceMany` of 1000 vs a raw ConfirmChannel sending the same properties (message id, timestamp, `mandatory`; bench/streaming-produce.mjs). That file measures drain throughput and CPU only (no RSS, no latency), 1000 prefetch.',
  'NATS JetStream':
    'File-backed stream drained from the beginning: a raw durable pull consumer (explicit ack, consume() with max_messages = prefetch 1000) vs `@OnDatasetMessage` vs a private callback subscription (bench/streaming-nats.mjs). Produce: `js.publish` with 1000 outstanding vs `channel.produce` / `produceMany` (bench/streaming-produce.mjs). The consume file measures throughput and CPU only (no RSS, no latency).',
  Kafka:
    'Topic drained from the beginning over 3 partitions: kafkajs eachBatch vs `@OnDatasetMessage` vs a private callback subscription (bench/streaming-kafka.mjs). Produce with acks = all (-1) into a 3-partition topic: one raw kafkajs `producer.send` of 1000 records per round trip vs `channel.produce` with 1000 in flight (batched by the shared TickCoalescer) and `produceMany` of 1000 (bench/streaming-produce.mjs). On the broker of `npm run kafka` (or KAFKA_BROKERS). Throughput and client CPU only.',
  'First message':
    'bench/first-message.mjs: one message is stored in a fresh dataset, then each repetition starts a new subscription from the beginning and times from the call that starts it to the callback receiving that message. databus: `channel.subscribe(ds, { offset: Offset.BEGIN, batch: 1, callback })`. Raw: NATS an ordered consumer and `next()`; RabbitMQ streams `basic.consume` with `x-stream-offset: first`, prefetch 1; Kafka a consumer in a fresh group (`fromBeginning`, `eachMessage`: a group join on both sides; 5 repetitions). MQTT keeps no history to start from, so it has no row.',
  'Outbox relay':
    "bench/outbox-relay.mjs: one row per PostgreSQL transaction (127.0.0.1:5432) written with `OutboxService.produce`, 2000 commits (500 with --quick) at 200 per second, 16 keys, relayed to NATS JetStream (a nats-server of its own, same binary as the loopback one) by the relay in the same process (woken by LISTEN/NOTIFY; polling every 1 s only as a fallback). Latency = from the writer's COMMIT returning to the broker's ack of that message (`ChannelService.produceMany` resolved). No raw baseline: what it adds over a direct produce is the commit-to-relay hop.",
  "MQTT QoS 1 (transport author's bench)":
    'bench/streaming-mqtt.mjs: the same end-to-end, credit-window method with its own publisher (20 in flight): raw mqtt.js (MQTT 5 shared subscription) vs `@OnDatasetMessage`. Throughput and CPU only.',
};

async function main() {
  const started = Date.now();
  // A fresh clone has no dist/ at all: build now. Some dist/ missing means another build is running: wait for it.
  if (PACKAGES.every((p) => !existsSync(join(ROOT, p, 'dist', 'index.js')))) ensureBuilt();
  const dropSnapshot = await snapshotLibraries();
  process.on('exit', dropSnapshot);
  const loadBefore = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
  const busyBefore = await machineBusy(1000);
  const results = {
    mode: quick ? 'quick' : 'full',
    only: only ?? null,
    loadBefore,
    busyBefore,
    settings: { latencyRate: P.queue.latencyRate, ...P },
    notes: NOTES,
    sections: {},
    // Per part: its seconds and the CPU steal over them (the host's other guests taking this machine's cores).
    machine: {},
    errors: [],
    skipped: [],
  };
  const partialFile = join(ROOT, 'bench', 'results', `partial-${results.mode}.json`);
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  if (resume && existsSync(partialFile)) {
    const previous = JSON.parse(readFileSync(partialFile, 'utf8'));
    Object.assign(results.sections, previous.sections);
    Object.assign(results.machine, previous.machine);
    log(`resuming: keeping ${Object.keys(previous.sections).join(', ')} from ${partialFile}`);
  }
  const part = async (name, key, fn, ports = []) => {
    if (only && !only.includes(name)) return;
    if (results.sections[key]) return; // resumed
    try {
      await partInner(name, key, fn, ports);
    } finally {
      // checkpoint after every part: a run killed half-way keeps what it measured (`--resume` continues it)
      writeFileSync(partialFile, `${JSON.stringify(results, null, 2)}\n`);
    }
  };
  const partInner = async (name, key, fn, ports) => {
    for (let attempt = 1; ; attempt++) {
      const t0 = Date.now();
      await distReady();
      for (const port of ports)
        if (!(await waitForPort(port, 60_000))) log(`${name}: nothing listens on port ${port}`);
      log(`${name} …`);
      const cpu0 = cpuTimes();
      try {
        results.sections[key] = await fn();
        const seconds = Math.round((Date.now() - t0) / 1000);
        const steal = stealShare(cpu0, cpuTimes());
        results.machine[key] = { seconds, steal };
        log(`${name} done in ${seconds} s (CPU steal ${(steal * 100).toFixed(1)}%)`);
        return;
      } catch (error) {
        // Another engineer's `npm run build` deletes dist/ while it recompiles: wait for it and retry once.
        // (and brokers restarted by other engineers' tests): wait for them and retry once.
        if (attempt === 1 && TRANSIENT.test(error.message)) {
          log(`${name} failed (${error.message.split('\n')[0]}); retrying once`);
          await new Promise((r) => setTimeout(r, 3000));
          continue;
        }
        log(`${name} FAILED: ${error.message}`);
        results.errors.push({ section: name, message: String(error?.stack ?? error) });
        return;
      }
    }
  };
  const { measureMemory, profileMemory } = await import('./memory-scale.mjs');
  const { measureJwt } = await import('./auth-jwt.mjs');
  const { measureAmqpQueue, profileAmqp } = await import('./amqp-queue.mjs');
  const { measureMqtt, profileMqtt } = await import('./mqtt-frameworks.mjs');
  const { measureStreamingProduce, profileProduce } = await import('./streaming-produce.mjs');
  const streamArgs = ['--messages', String(P.stream.messages), '--repetitions', String(P.stream.repetitions)];

  await part('memory', 'memory', () => measureMemory({ quick, log }));
  await part('jwt', 'jwt', () => measureJwt(P.jwt));
  await part('amqp-queue', 'amqpQueue', () => measureAmqpQueue({ ...P.queue, log }), [5672]);
  await part(
    'amqp-stream',
    'amqpStream',
    () => runJsonScript('streaming-amqp.mjs', streamArgs, 600_000),
    [5672],
  );
  await part('amqp-stream-produce', 'amqpStreamProduce', () =>
    measureStreamingProduce({ transport: 'amqp', ...P.produce, log }),
  );
  await part('nats', 'natsStream', () => runJsonScript('streaming-nats.mjs', streamArgs, 600_000), [4222]);
  await part('nats-produce', 'natsProduce', () =>
    measureStreamingProduce({ transport: 'nats', ...P.produce, log }),
  );
  await part('mqtt', 'mqtt', () => measureMqtt({ ...P.mqtt, log }), [1883]);
  if (results.sections.mqtt?.produceWindow !== undefined)
    results.notes['MQTT QoS 1'] +=
      ` In this run the broker announced a Receive Maximum of ${results.sections.mqtt.receiveMaximum}: ${results.sections.mqtt.produceWindow} publishes in flight.`;
  if (existsSync(join(ROOT, 'bench', 'streaming-mqtt.mjs')))
    await part(
      'mqtt-stream',
      'mqttStream',
      () =>
        runJsonScript(
          'streaming-mqtt.mjs',
          ['--messages', String(P.mqtt.messages), '--repetitions', String(P.mqtt.repetitions)],
          600_000,
        ),
      [1883],
    );
  // Kafka: the broker `npm run kafka -- start` runs on 127.0.0.1:9092 unless KAFKA_BROKERS names another.
  process.env.KAFKA_BROKERS ??= '127.0.0.1:9092';
  if (existsSync(join(ROOT, 'bench', 'streaming-kafka.mjs')))
    await part('kafka', 'kafka', () => runJsonScript('streaming-kafka.mjs', streamArgs, 600_000), [9092]);
  await part(
    'kafka-produce',
    'kafkaProduce',
    () => measureStreamingProduce({ transport: 'kafka', ...P.produce, log }),
    [9092],
  );
  await part(
    'first-message',
    'firstMessage',
    async () => {
      const { measureFirstMessage } = await import('./first-message.mjs');
      return measureFirstMessage({ repetitions: quick ? 5 : 15, log });
    },
    [4222, 5672, 9092],
  );
  await part(
    'outbox-relay',
    'outboxRelay',
    async () => {
      const { measureOutboxRelay } = await import('./outbox-relay.mjs');
      return measureOutboxRelay({ messages: quick ? 500 : 2000, rate: 200, log });
    },
    [5432],
  );
  results.skipped.push({
    section: 'NATS: @nestjs/microservices',
    reason:
      "Nest's NATS transport needs the `nats` (v2) package, which is not installed here, and it runs on core NATS (no persistence, no acks), so it does no like-for-like work against a JetStream consumer; not measured.",
  });
  if (!quick)
    await part('profiles', 'profiles', async () => {
      const dir = join(tmpdir(), `databus-bench-profiles-${process.pid}`);
      mkdirSync(dir, { recursive: true });
      const out = {};
      try {
        const take = async (name, messages, run) => {
          const file = join(dir, `${name.replace(/\W+/g, '-')}.cpuprofile`);
          try {
            await retrying(name, () => run(file), { ports: [5672, 1883, 4222], log });
            out[name] = { messages, summary: summarizeProfile(file, 15) };
          } catch (error) {
            out[name] = { messages, error: String(error?.message ?? error) };
          }
        };
        await take('memory: @OnDatasetMessage, concurrency 1, batch 100', 100_000, (f) =>
          profileMemory(f, 100_000),
        );
        await take('RabbitMQ: @TaskHandler consumer (drain, prefetch 100)', 30_000, (f) =>
          profileAmqp('con:task', f, { messages: 30_000 }),
        );
        await take('RabbitMQ: raw amqplib consumer (drain, prefetch 100)', 30_000, (f) =>
          profileAmqp('con:raw', f, { messages: 30_000 }),
        );
        await take('RabbitMQ: TaskQueue.enqueue producer (1000 in flight)', 30_000, (f) =>
          profileAmqp('pub:task', f, { messages: 30_000 }),
        );
        await take('RabbitMQ: raw amqplib ConfirmChannel producer', 30_000, (f) =>
          profileAmqp('pub:raw', f, { messages: 30_000 }),
        );
        await take('MQTT: @OnDatasetMessage consumer (credit window 400)', 20_000, (f) =>
          profileMqtt('con:databus', f, { messages: 20_000 }),
        );
        await take('MQTT: raw mqtt.js consumer (credit window 400)', 20_000, (f) =>
          profileMqtt('con:raw', f, { messages: 20_000 }),
        );
        await take('MQTT: ChannelService.produce (400 in flight)', 20_000, (f) =>
          profileMqtt('pub:databus', f, { messages: 20_000 }),
        );
        await take('MQTT: raw mqtt.js publishAsync (400 in flight)', 20_000, (f) =>
          profileMqtt('pub:raw', f, { messages: 20_000 }),
        );
        await take('NATS: ChannelService.produce (1000 in flight)', 20_000, (f) =>
          profileProduce('nats', 'databus', f, { messages: 20_000 }),
        );
        await take('NATS: raw js.publish (1000 in flight)', 20_000, (f) =>
          profileProduce('nats', 'raw', f, { messages: 20_000 }),
        );
        await take('RabbitMQ streams: ChannelService.produce (1000 in flight)', 20_000, (f) =>
          profileProduce('amqp', 'databus', f, { messages: 20_000 }),
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      return out;
    });

  results.env = environment();
  results.busyAfter = await machineBusy(1000);
  results.durationS = (Date.now() - started) / 1000;
  const rows = collectRows(results);
  const targets = evaluateTargets(results, rows);
  results.rows = rows;
  results.targets = targets;

  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  const stamp = results.env.date.replace(/[:.]/g, '-');
  const file = join(ROOT, 'bench', 'results', `${stamp}-${results.mode}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  // A run of some parts only never replaces the last complete run (the docs render from latest-full.json).
  if (!only)
    writeFileSync(
      join(ROOT, 'bench', 'results', `latest-${results.mode}.json`),
      `${JSON.stringify(results, null, 2)}\n`,
    );
  console.log(renderText(results, rows, targets));
  console.log(`\nresults: ${file}`);
  if (writeDocs) {
    // A run of some parts only goes under the last full run's tables as a dated section of its own; it
    // replaces the page only when asked to (`--docs`).
    const full = join(ROOT, 'bench', 'results', 'latest-full.json');
    if (only && !argv.includes('--docs') && existsSync(full)) {
      const last = JSON.parse(readFileSync(full, 'utf8'));
      const lastRows = collectRows(last);
      writeDocsFiles(last, lastRows, evaluateTargets(last, lastRows), [results]);
    } else writeDocsFiles(results, rows, targets);
  }
  rmSync(partialFile, { force: true });
  if (results.errors.length) process.exitCode = 1;
}

/** `--render <results.json>`: regenerate docs/benchmarks.md and .svg from saved results (e.g. after editing the analysis). */
function writeDocsFiles(results, rows, targets, supplements = []) {
  const analysisFile = join(ROOT, 'bench', 'benchmarks-analysis.md');
  const analysis = existsSync(analysisFile) ? readFileSync(analysisFile, 'utf8') : '';
  mkdirSync(join(ROOT, 'docs'), { recursive: true });
  writeFileSync(
    join(ROOT, 'docs', 'benchmarks.md'),
    renderMarkdown(results, rows, targets, analysis, supplements),
  );
  writeFileSync(join(ROOT, 'docs', 'benchmarks.svg'), `${renderSvg(results, rows)}\n`);
  console.log('docs: docs/benchmarks.md, docs/benchmarks.svg');
}

const renderArg = argv.indexOf('--render');
if (renderArg >= 0) {
  const results = JSON.parse(readFileSync(argv[renderArg + 1], 'utf8'));
  const rows = collectRows(results);
  const supplementArg = argv.indexOf('--supplement');
  const supplements = (supplementArg >= 0 ? argv[supplementArg + 1].split(',') : []).map((file) =>
    JSON.parse(readFileSync(file, 'utf8')),
  );
  writeDocsFiles(results, rows, evaluateTargets(results, rows), supplements);
} else
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
