// Shared helpers of the benchmark harness: payloads, forked runs, meters, statistics, machine facts.
import { fork, execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { createConnection } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { cpus, totalmem } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * `require` for the bench files. When the harness runs, it copies the built libraries to a snapshot
 * (DATABUS_BENCH_SNAPSHOT, under node_modules/) so a concurrent `npm run build`, which deletes dist/, cannot
 * break a run; everything else resolves from the repository's node_modules as usual.
 */
export function benchRequire(metaUrl) {
  const snapshot = process.env.DATABUS_BENCH_SNAPSHOT;
  return createRequire(snapshot ? join(snapshot, 'index.js') : metaUrl);
}

/** Errors a concurrent build or a broker restart by another test causes; worth one more try. */
export const TRANSIENT =
  /Cannot find module|ECONNREFUSED|ECONNRESET|Channel closed|connection closed|CONNECTION_FORCED|Connection closed|exited with|not confirmed|did not finish/i;

/** Resolves once something listens on 127.0.0.1:`port` (or after `timeoutMs`, false). */
export async function waitForPort(port, timeoutMs = 90_000, host = '127.0.0.1') {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const ok = await new Promise((resolve) => {
      const socket = createConnection({ port, host });
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (ok) return true;
    await new Promise((r) => setTimeout(r, 1000));
  }
  return false;
}

/**
 * Runs `fn`; when it fails with a transient error (broker restarted by someone's test, dist/ rebuilt),
 * waits for the broker `ports` to accept connections again (and 3 s for a restart to settle) and retries,
 * at most `attempts` times in all.
 */
export async function retrying(label, fn, { attempts = 3, ports = [], log = console.error } = {}) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      const text = String(error?.message ?? error);
      if (attempt >= attempts || !TRANSIENT.test(text)) throw error;
      log(`${label}: ${text.split('\n')[0]} — retrying (${attempt + 1}/${attempts})`);
      for (const port of ports) await waitForPort(port);
      await new Promise((r) => setTimeout(r, 3000));
    }
  }
}

/** Wall clock in ms that can be compared across processes on one machine. */
export const now = () => performance.timeOrigin + performance.now();

/**
 * Builds message objects whose JSON is exactly `size` bytes, in the envelope Nest's transports expect:
 * `{"pattern":"bench.event","data":{"seq":"00000042","ts":1763790000123456,"pad":"xx…"}}`.
 * `ts` is the send time in integer microseconds (fixed width, so the padding is computed once).
 * Returns `(seq, ts?) => object`; `JSON.stringify` of it is the body every client sends.
 */
export function messageFactory(size = 256, pattern = 'bench.event') {
  const probe = { pattern, data: { seq: '00000000', ts: Math.round(now() * 1000), pad: '' } };
  const pad = 'x'.repeat(Math.max(0, size - Buffer.byteLength(JSON.stringify(probe))));
  return (seq, ts = Math.round(now() * 1000)) => ({
    pattern,
    data: { seq: String(seq).padStart(8, '0'), ts, pad },
  });
}

/** Latency in ms of a message whose `data.ts` (µs) was stamped by `messageFactory`. */
export const latencyMs = (data) => now() - data.ts / 1000;

export const median = (values) => {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

export const percentile = (sorted, p) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;

/** Median, min and max of a list of numbers. */
export const stats = (values) => ({
  median: median(values),
  min: Math.min(...values),
  max: Math.max(...values),
  runs: values,
});

/**
 * Counts handled messages; the window runs from the first to the N-th. Reports time, process CPU over the
 * window, peak RSS, and (when `latency` is set) end-to-end latencies from the `ts` in each body.
 * With `warmup`, the first `warmup` messages are handled but not measured (the window opens at the next one);
 * their latencies are kept apart as `warmupP99Ms`, so what the cold start costs stays on the record.
 */
export function createMeter(messages, { latency = false, warmup = 0, onDone } = {}) {
  let count = 0;
  let start = 0;
  let cpu;
  let warmed = 0;
  const lat = latency ? new Float64Array(messages) : undefined;
  const warmLat = latency && warmup > 0 ? new Float64Array(warmup) : undefined;
  let resolve;
  const done = new Promise((r) => (resolve = r));
  const profilePath = process.env.BENCH_PROFILE;
  let profiler;
  const tick = (data) => {
    if (data === undefined || data.seq === undefined) throw new Error('bad payload');
    if (warmed < warmup) {
      if (warmLat) warmLat[warmed] = latencyMs(data);
      warmed++;
      return;
    }
    if (count === 0) {
      if (profilePath) profiler = startProfiler();
      start = performance.now();
      cpu = process.cpuUsage();
    }
    if (lat) lat[count] = latencyMs(data);
    if (++count === messages) {
      const ms = performance.now() - start;
      const used = process.cpuUsage(cpu);
      const result = {
        messages,
        ms,
        rate: (messages / ms) * 1000,
        cpuUsPerMsg: (used.user + used.system) / messages,
        peakRssMB: process.resourceUsage().maxRSS / 1024,
      };
      if (lat) {
        const sorted = Array.from(lat).sort((a, b) => a - b);
        result.p50Ms = percentile(sorted, 50);
        result.p99Ms = percentile(sorted, 99);
        if (warmLat)
          result.warmupP99Ms = percentile(
            Array.from(warmLat).sort((a, b) => a - b),
            99,
          );
      }
      onDone?.(result);
      if (profiler) profiler.stop(profilePath).then(() => resolve(result));
      else resolve(result);
    }
  };
  return {
    tick,
    done,
    /** Messages handled so far, the warm-up's included (what a credit-driven publisher counts). */
    get count() {
      return warmed + count;
    },
  };
}

/**
 * Starts the V8 sampling profiler in this process (100 µs interval); `stop(path)` writes a .cpuprofile.
 * The harness sets BENCH_PROFILE=<path> in a child to profile just its measured window.
 */
export function startProfiler() {
  const session = new Session();
  session.connect();
  const post = (method, params) =>
    new Promise((resolve, reject) => session.post(method, params, (e, r) => (e ? reject(e) : resolve(r))));
  const started = post('Profiler.enable')
    .then(() => post('Profiler.setSamplingInterval', { interval: 100 }))
    .then(() => post('Profiler.start'));
  return {
    async stop(path) {
      await started;
      const { profile } = await post('Profiler.stop');
      writeFileSync(path, JSON.stringify(profile));
      session.disconnect();
    },
  };
}

/**
 * Times `work()` (which handles `messages` messages) as a produce row measures it: wall time, this process's CPU
 * per message and its peak RSS, with the V8 profiler on around the window when BENCH_PROFILE is set.
 */
export async function timedWindow(messages, work) {
  const profiler = process.env.BENCH_PROFILE ? startProfiler() : undefined;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await work();
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  if (profiler) await profiler.stop(process.env.BENCH_PROFILE);
  return {
    messages,
    ms,
    rate: (messages / ms) * 1000,
    cpuUsPerMsg: (cpu.user + cpu.system) / messages,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
  };
}

/**
 * Forks `file` with `args` (the child reads them with `childArgs()`); the child posts
 * `{ type: 'ready' }`, optional progress messages and finally `{ type: 'result', result }`.
 * Returns a handle: `ready` (promise), `result` (promise), `send(msg)`, `kill()`.
 */
export function forkRun(file, kind, args, { timeoutMs = 180_000, onMessage, execArgv = [], env } = {}) {
  const child = fork(file, ['--child', kind, JSON.stringify(args)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv,
    env: env ? { ...process.env, ...env } : process.env,
  });
  let readyResolve;
  let readyReject;
  const ready = new Promise((res, rej) => ((readyResolve = res), (readyReject = rej)));
  ready.catch(() => undefined);
  const result = new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${kind} run did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('message', (msg) => {
      if (msg?.type === 'ready') readyResolve(msg);
      else if (msg?.type === 'result') {
        clearTimeout(timer);
        resolve(msg.result);
      } else if (msg?.type === 'error') {
        clearTimeout(timer);
        reject(new Error(`${kind}: ${msg.message}`));
      } else onMessage?.(msg);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      const error = new Error(`${kind} run exited with ${code} before reporting`);
      readyReject(error);
      reject(error); // no-op after a result
    });
  });
  result.catch(() => undefined);
  return {
    ready,
    result,
    send: (msg) => child.connected && child.send(msg),
    kill: () => child.exitCode === null && child.kill('SIGKILL'),
    exited: new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r))),
  };
}

/** In a child: `[kind, args]` when started by forkRun, else undefined. */
export function childArgs(argv = process.argv) {
  const i = argv.indexOf('--child');
  return i < 0 ? undefined : [argv[i + 1], JSON.parse(argv[i + 2])];
}

/** In a child: report the result and exit. */
export function report(result) {
  process.send({ type: 'result', result }, () => process.exit(0));
}

/** In a child: run `fn`, report its result or its error, always exit. */
export function runChild(fn) {
  fn().then(report, (error) => {
    process.send({ type: 'error', message: String(error?.stack ?? error) }, () => process.exit(1));
  });
}

/** A version from node_modules/<name>/package.json (read as a file: some packages hide it from require). */
export function packageVersion(name) {
  try {
    return JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return 'not installed';
  }
}

function tool(cmd, args, pattern) {
  try {
    const out = execFileSync(cmd, args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 20_000,
    });
    return (out.match(pattern)?.[1] ?? out.trim().split('\n')[0]).trim();
  } catch (error) {
    const text = `${error.stdout ?? ''}${error.stderr ?? ''}`;
    return text.match(pattern)?.[1] ?? 'unknown';
  }
}

/** Machine, load and versions, for the report. */
export function environment() {
  const loadavg = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
  return {
    date: new Date().toISOString(),
    nproc: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGB: +(totalmem() / 2 ** 30).toFixed(1),
    loadavg,
    node: process.version,
    brokers: {
      rabbitmq: tool('rabbitmqctl', ['version'], /^(\S+)/),
      mosquitto: tool('mosquitto', ['-h'], /mosquitto version (\S+)/),
      'nats-server': tool('nats-server', ['--version'], /v(\d\S*)/),
      kafka: tool(process.execPath, [join(ROOT, 'scripts', 'kafka.mjs'), 'status'], /Apache Kafka ([\d.]+)/),
    },
    clients: Object.fromEntries(
      [
        'amqplib',
        'mqtt',
        '@nats-io/transport-node',
        '@nats-io/jetstream',
        'kafkajs',
        '@nestjs/core',
        '@nestjs/microservices',
        '@golevelup/nestjs-rabbitmq',
        'amqp-connection-manager',
        'nats',
      ].map((name) => [name, packageVersion(name)]),
    ),
  };
}

/** Busy fraction of the whole machine over `ms` (from /proc/stat), 1 = every core busy. */
/** The machine's CPU time so far (/proc/stat, all cores, in clock ticks): `steal` and the `total`. */
export function cpuTimes() {
  const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0].split(/\s+/);
  const n = fields.filter(Boolean).map(Number);
  // user nice system idle iowait irq softirq steal guest guest_nice (guest time is inside user already)
  return { steal: n[7] ?? 0, total: n.slice(0, 8).reduce((a, b) => a + b, 0) };
}

/**
 * The share of the cores the virtual machine's host took (steal time) between two `cpuTimes()`: while it is
 * high, every process here, the brokers included, ran slower than the figures of a quiet host.
 */
export function stealShare(before, after) {
  const total = after.total - before.total;
  return total > 0 ? (after.steal - before.steal) / total : 0;
}

export async function machineBusy(ms = 1000) {
  const read = () => {
    const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0].split(/\s+/);
    const n = fields.filter(Boolean).map(Number);
    const idle = n[3] + (n[4] ?? 0);
    return { idle, total: n.reduce((a, b) => a + b, 0) };
  };
  const a = read();
  await new Promise((r) => setTimeout(r, ms));
  const b = read();
  return 1 - (b.idle - a.idle) / (b.total - a.total);
}

/**
 * Runs every kind once per repetition, in turn (A/B/A/B: a load change hits each kind alike), and returns
 * `runs[kind]` = the results of `runOne(kind, repetition)` in repetition order.
 */
export async function alternate(kinds, repetitions, runOne) {
  const runs = Object.fromEntries(kinds.map((kind) => [kind, []]));
  for (let rep = 0; rep < repetitions; rep++)
    for (const kind of kinds) runs[kind].push(await runOne(kind, rep));
  return runs;
}

/** `flag(name, fallback)`: the text after `--name` in `argv`, else `fallback`. */
export const textFlag = (argv) => (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : fallback;
};

/** `flag(name, fallback)`: the number after `--name` in `argv`, else `fallback`. */
export const numberFlag = (argv) => {
  const text = textFlag(argv);
  return (name, fallback) => Number(text(name, fallback));
};

/** Runs `main()` when `self` is the script node was started with; an error is printed and exits 1. */
export function runIfMain(self, main) {
  if (process.argv[1] === self)
    main().catch((error) => {
      console.error(error);
      process.exit(1);
    });
}
