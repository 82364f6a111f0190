import { spawn } from 'node:child_process';
const SELF = new URL('./mqtt-frameworks.mjs', import.meta.url).pathname;
for (const kind of process.argv.slice(2)) {
  const out = `/tmp/sp/strace-${kind}.txt`;
  const args = { url: 'mqtt://127.0.0.1:1883', topic: `bench/st/${kind}`, size: 256, window: 20, prefetch: 100, messages: 40000, warmup: 10000 };
  const child = spawn('strace', ['-f', '-e', 'trace=read,writev,epoll_pwait', '-o', out, process.execPath, SELF, '--child', `pub:${kind}`, JSON.stringify(args)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const res = await new Promise((resolve, reject) => { child.on('message', (m) => m.type === 'result' && resolve(m.result)); child.on('exit', () => setTimeout(() => reject(new Error('exit')), 500)); });
  console.log(kind, Math.round(res.rate), res.cpuUsPerMsg.toFixed(2));
  await new Promise((r) => child.on('exit', r));
}
