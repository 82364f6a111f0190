// Memory transport: handler dispatch rate through @OnDatasetMessage with commits, and what the shared
// runtime costs per message over calling the same handler directly. Run after `npm run build`.
//   node bench/memory.mjs [--quick]
import 'reflect-metadata';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const { Module } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const {
  StreamingModule,
  OnDatasetMessage,
  ChannelService,
  Offset,
  MemoryStreaming,
} = require('@databus/streaming');

const quick = process.argv.includes('--quick');
const N = quick ? 50_000 : 200_000;
const REPS = quick ? 2 : 3;
const payload = {
  sensor: 'sensor-0001',
  value: 21.5,
  unit: 'C',
  at: '2026-11-22T10:00:00.000Z',
  pad: 'x'.repeat(160),
};

async function runDatabus({ concurrency, batch, n = N }) {
  const broker = `bench-${Math.random().toString(36).slice(2)}`;
  let handled = 0;
  let done;
  const finished = new Promise((r) => (done = r));
  class Sink {
    onMessage(p) {
      if (++handled === n) done();
      return p === undefined ? undefined : undefined;
    }
  }
  Reflect.decorate(
    [
      OnDatasetMessage('bench', {
        offset: Offset.BEGIN,
        batch,
        prefetch: batch * 4,
        concurrency,
        maxWaitMs: 1,
      }),
    ],
    Sink.prototype,
    'onMessage',
    Object.getOwnPropertyDescriptor(Sink.prototype, 'onMessage'),
  );
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
  const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
  const channel = app.get(ChannelService);
  const chunk = Array.from({ length: 1000 }, (_, i) => ({ value: payload, key: `k${i % 16}` }));
  for (let i = 0; i < n; i += chunk.length) await channel.produceMany('bench', chunk);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await app.init();
  await finished;
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  await app.close();
  MemoryStreaming.reset(broker);
  return { rate: (n / ms) * 1000, cpuUsPerMsg: (cpu.user + cpu.system) / n };
}

/** The same work without the runtime: decode JSON and call the handler, one by one. */
async function runBaseline(n = N) {
  const body = Buffer.from(JSON.stringify(payload));
  let handled = 0;
  const handler = async (p) => void (p && handled++);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await handler(JSON.parse(body.toString('utf8')));
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { rate: (n / ms) * 1000, cpuUsPerMsg: (cpu.user + cpu.system) / n, handled };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
export async function benchMemory() {
  const rows = [];
  for (const config of [
    { name: 'handler, concurrency 1, batch 100', concurrency: 1, batch: 100 },
    { name: 'handler, concurrency 16, batch 500', concurrency: 16, batch: 500 },
  ]) {
    const ours = [];
    const base = [];
    await runDatabus({ ...config, n: 10_000 }); // warm-up
    for (let r = 0; r < REPS; r++) {
      ours.push(await runDatabus(config));
      base.push(await runBaseline());
    }
    const rate = median(ours.map((x) => x.rate));
    const cpu = median(ours.map((x) => x.cpuUsPerMsg));
    const baseCpu = median(base.map((x) => x.cpuUsPerMsg));
    rows.push({
      bench: `memory: ${config.name}`,
      msgPerSec: Math.round(rate),
      min: Math.round(Math.min(...ours.map((x) => x.rate))),
      max: Math.round(Math.max(...ours.map((x) => x.rate))),
      cpuUsPerMsg: +cpu.toFixed(2),
      runtimeOverheadUsPerMsg: +(cpu - baseCpu).toFixed(2),
      target: '>= 300k msg/s',
      met: rate >= 300_000,
    });
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await benchMemory();
  console.table(rows);
}
