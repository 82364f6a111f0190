import { forkRun } from './lib/common.mjs';
const SELF = '/work/wt-lead/bench/mqtt-frameworks.mjs';
for (const kind of process.argv.slice(2)) {
  const res = await forkRun(SELF, `pub:${kind}`, { url: 'mqtt://127.0.0.1:1883', topic: `bench/prof/${kind}`, size: 256, window: 20, prefetch: 100, messages: 40000, warmup: 10000 }, { env: { BENCH_PROFILE: `/tmp/sp/m-${kind}.cpuprofile` } }).result;
  console.log(kind, Math.round(res.rate), res.cpuUsPerMsg.toFixed(2));
}
