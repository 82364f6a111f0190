// Shared parts of the drain benches (streaming-amqp, streaming-nats, streaming-kafka, streaming-mqtt): the
// body they send, the consumer's meter, the databus consumer every one of them runs, the summary of the
// alternated runs and the command line. Each bench keeps only what is its broker's own: the raw client's
// consumer, the pre-fill and the clean-up.
import { performance } from 'node:perf_hooks';
import { benchRequire, childArgs, median, numberFlag, runChild, startProfiler } from './common.mjs';

const require = benchRequire(import.meta.url);

/** A 256-byte JSON body (`{"seq":"00000042","ts":…,"pad":"xx…"}`) with a sequence number. */
export function drainBody(seq) {
  const base = { seq: String(seq).padStart(8, '0'), ts: 1_700_000_000_000, pad: '' };
  const size = Buffer.byteLength(JSON.stringify(base));
  return JSON.stringify({ ...base, pad: 'x'.repeat(256 - size) });
}

/**
 * A drain consumer's meter: call it with each handled message's parsed `seq`; the clock and the process's
 * CPU time start at the first and stop at the `messages`-th, which calls `done({ ms, cpuUs })`.
 * - `progress(count)` is called every `every` handled messages (an end-to-end bench's publisher credit);
 * - with BENCH_PROFILE set (and `profile` not false) the V8 profiler runs over the window and `done` is
 *   called once the profile is written there;
 * - a run still short of `messages` after a minute says so on stderr (every minute) instead of waiting silently.
 */
export function drainMeter(messages, done, { progress, every = 100, profile = true } = {}) {
  const profilePath = profile ? process.env.BENCH_PROFILE : undefined;
  let profiler;
  let count = 0;
  const stall = setInterval(
    () => console.error(`  [${process.argv[3] ?? 'bench'} run] ${count}/${messages} handled; still waiting`),
    60_000,
  );
  stall.unref();
  let start = 0;
  let cpu;
  return (seq) => {
    if (seq === undefined) throw new Error('bad payload');
    if (count === 0) {
      if (profilePath) profiler = startProfiler();
      start = performance.now();
      cpu = process.cpuUsage();
    }
    count++;
    if (progress && count % every === 0) progress(count);
    if (count === messages) {
      const ms = performance.now() - start;
      const used = process.cpuUsage(cpu);
      clearInterval(stall);
      const result = { ms, cpuUs: used.user + used.system };
      if (profiler) profiler.stop(profilePath).then(() => done(result));
      else done(result);
    }
  };
}

/** `[count, finished]`: a `drainMeter` and the promise of its result. */
export function drained(messages, options) {
  let finish;
  const finished = new Promise((r) => (finish = r));
  return [drainMeter(messages, finish, options), finished];
}

/**
 * In a drain child: a Nest application context whose one provider takes `dataset` with @OnDatasetMessage
 * (kind 'handler', durable `group`), or for kind 'private' a `ChannelService.subscribe` callback (no group),
 * both with `options`; each handled message's `seq` goes to `count` (the runtime has JSON-parsed the body, as
 * the raw consumer does by hand). `forRoot` is given to `StreamingModule.forRoot`; the run fails unless the
 * transport in use is `transport`. Calls `started()` once subscribed, waits for `finished`, closes the app and
 * returns what `finished` resolved with. BENCH_LOG=1: the transport logs what it does.
 */
export async function drainDatabus({
  kind,
  dataset,
  group,
  options,
  forRoot,
  transport,
  count,
  finished,
  started,
}) {
  require('reflect-metadata');
  const { Injectable, Module } = require('@nestjs/common');
  const { NestFactory } = require('@nestjs/core');
  const { ChannelService, StreamingModule, OnDatasetMessage } = require('@databus/streaming');
  class Consumer {
    on(payload) {
      count(payload.seq);
    }
  }
  // Decorators applied by hand (these files are plain JavaScript).
  if (kind === 'handler')
    OnDatasetMessage(dataset, { ...options, group })(
      Consumer.prototype,
      'on',
      Object.getOwnPropertyDescriptor(Consumer.prototype, 'on'),
    );
  Injectable()(Consumer);
  class BenchModule {}
  const verbose = process.env.BENCH_LOG === '1';
  Module({
    imports: [StreamingModule.forRoot({ ...forRoot, ...(verbose ? {} : { logger: false }) })],
    providers: [Consumer],
  })(BenchModule);
  const app = await NestFactory.createApplicationContext(BenchModule, {
    logger: verbose ? ['error', 'warn', 'log', 'debug'] : false,
  });
  const channel = app.get(ChannelService);
  if (channel.transportName !== transport) throw new Error(`the ${transport} transport is not in use`);
  if (kind === 'private')
    await channel.subscribe(dataset, { ...options, callback: (m) => count(m.json().seq) });
  started?.();
  const result = await finished;
  const slowClose = setTimeout(() => console.error(`  [${kind} run] app.close() pending after 15 s`), 15_000);
  slowClose.unref();
  await app.close();
  clearTimeout(slowClose);
  return result;
}

/**
 * The result of a drain bench: `settings`, then per kind of `runs` (one `{ ms, cpuUs }` per repetition, kinds
 * alternated A/B/A/B, `raw` among them) the rates, their median and the median CPU per message, and per kind
 * but raw `ratio[<kind>OverRaw]`, the median of the per-repetition throughput ratios to raw.
 */
export function drainResult(runs, settings) {
  const { messages } = settings;
  const summary = {};
  const ratio = {};
  for (const [kind, list] of Object.entries(runs)) {
    const rates = list.map((r) => (messages / r.ms) * 1000);
    summary[kind] = {
      rates,
      median: median(rates),
      cpuUsPerMsg: median(list.map((r) => r.cpuUs / messages)),
    };
    if (kind !== 'raw') ratio[`${kind}OverRaw`] = median(list.map((r, i) => runs.raw[i].ms / r.ms));
  }
  return { ...settings, summary, ratio };
}

/**
 * The command line of a drain bench. In a forked child: runs `children.raw` or `children.databus` with the
 * parent's arguments and `kind`. Else: `measure` with the numeric `flags` (name → default) read from the
 * command line, printed as JSON (`--json`) or as `title(result)` and one line per kind (`labels[kind]`).
 * A run that can never finish fails rather than exiting 0 with nothing left to wait for.
 */
export async function drainMain({ name, children, measure, flags, title, labels }) {
  let finished = false;
  process.on('beforeExit', () => {
    if (!process.exitCode && !finished) {
      console.error(`${name} bench: nothing left to wait for before finishing (lost broker connection?)`);
      process.exitCode = 1;
    }
  });
  const spawned = childArgs();
  if (spawned) {
    finished = true; // a child exits through process.send's callback
    const [kind, args] = spawned;
    return runChild(() => (kind === 'raw' ? children.raw : children.databus)({ ...args, kind }));
  }
  const argv = process.argv.slice(2);
  const flag = numberFlag(argv);
  const result = await measure(Object.fromEntries(Object.entries(flags).map(([k, v]) => [k, flag(k, v)])));
  finished = true;
  if (argv.includes('--json')) return console.log(JSON.stringify(result, null, 2));
  console.log(title(result));
  for (const [kind, s] of Object.entries(result.summary))
    console.log(
      `  ${labels[kind].padEnd(30)} median ${Math.round(s.median).toString().padStart(7)} msg/s   ` +
        `client CPU ${s.cpuUsPerMsg.toFixed(1).padStart(5)} µs/msg   (runs: ${s.rates.map((r) => Math.round(r)).join(', ')})`,
    );
  const ratios = Object.keys(result.summary)
    .filter((kind) => kind !== 'raw')
    .map((kind) => `${labels[kind]} ${result.ratio[`${kind}OverRaw`].toFixed(2)}x`);
  console.log(`  ratio vs raw (median of per-repetition ratios): ${ratios.join(', ')}`);
}
