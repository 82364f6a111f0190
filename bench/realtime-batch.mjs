// Publishing N messages to Centrifugo: one `batch` call vs N sequential `publish` calls (and one `broadcast`),
// through @databus/realtime's built dist (run `npm run build` first).
//
//   node bench/realtime-batch.mjs [--messages 10000] [--repetitions 3] [--json]
//
// Without CENTRIFUGO_API_URL / CENTRIFUGO_API_KEY it forks a minimal fake Centrifugo (this same file with
// `--serve`) in its own process, so server work does not share the client's event loop. With them set it
// measures a real server. Runs alternate sequential, batch, broadcast per repetition; medians and the
// median of per-repetition ratios are reported. A benchmark harness can import `measureRealtimeBatch`.
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const require = createRequire(import.meta.url);
const SELF = fileURLToPath(import.meta.url);
const FAKE_KEY = 'bench-api-key';

/**
 * Measures publishing `messages` messages as sequential publishes, as one batch and as one broadcast.
 * @param {{ messages?: number, repetitions?: number, apiUrl?: string, apiKey?: string, batchSize?: number }} [options]
 *   `apiUrl`/`apiKey`: a real Centrifugo (default: a forked fake); `batchSize`: commands per batch call
 *   (default: all in one call).
 * @returns {Promise<{ target: string, messages: number, repetitions: number,
 *   sequentialMs: number[], batchMs: number[], broadcastMs: number[],
 *   median: { sequentialMs: number, batchMs: number, broadcastMs: number },
 *   ratio: { sequentialOverBatch: number, sequentialOverBroadcast: number } }>}
 */
export async function measureRealtimeBatch(options = {}) {
  const messages = options.messages ?? 10_000;
  const repetitions = options.repetitions ?? 3;
  const batchSize = options.batchSize ?? messages;
  const { CentrifugoClient } = require('@databus/realtime');
  const server = options.apiUrl ? undefined : await startFakeProcess();
  const apiUrl = options.apiUrl ?? server.apiUrl;
  const apiKey = options.apiKey ?? FAKE_KEY;
  const client = new CentrifugoClient({ apiUrl, apiKey, timeoutMs: 120_000 });
  const data = { sensor: 'a1', value: 21.5, unit: 'C', pad: 'x'.repeat(180) };
  const channels = Array.from({ length: messages }, (_, i) => `bench_${i}`);
  const sequentialMs = [];
  const batchMs = [];
  const broadcastMs = [];
  try {
    await client.publish({ channel: 'bench_warmup', data }); // open the keep-alive connection
    for (let rep = 0; rep < repetitions; rep++) {
      sequentialMs.push(
        await timed(async () => {
          for (const channel of channels) await client.publish({ channel, data });
        }),
      );
      batchMs.push(
        await timed(async () => {
          for (let start = 0; start < messages; start += batchSize) {
            const commands = channels
              .slice(start, start + batchSize)
              .map((channel) => ({ method: 'publish', request: { channel, data } }));
            const { replies } = await client.batch({ commands });
            const failed = replies.find((reply) => reply.error);
            if (failed) throw new Error(`batch item failed: ${failed.error.code} ${failed.error.message}`);
          }
        }),
      );
      broadcastMs.push(await timed(() => client.broadcast({ channels, data })));
    }
  } finally {
    client.close();
    await server?.stop();
  }
  const ratios = (slow, fast) => median(slow.map((s, i) => s / fast[i]));
  return {
    target: options.apiUrl ? 'centrifugo' : 'fake-centrifugo (forked process)',
    messages,
    repetitions,
    sequentialMs,
    batchMs,
    broadcastMs,
    median: {
      sequentialMs: median(sequentialMs),
      batchMs: median(batchMs),
      broadcastMs: median(broadcastMs),
    },
    ratio: {
      sequentialOverBatch: ratios(sequentialMs, batchMs),
      sequentialOverBroadcast: ratios(sequentialMs, broadcastMs),
    },
  };
}

async function timed(fn) {
  const start = performance.now();
  await fn();
  return Math.round((performance.now() - start) * 10) / 10;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Forks this file as a fake Centrifugo; resolves once it listens. */
function startFakeProcess() {
  return new Promise((resolve, reject) => {
    const child = fork(SELF, ['--serve'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`fake Centrifugo exited with ${code}`)));
    child.once('message', ({ port }) =>
      resolve({
        apiUrl: `http://127.0.0.1:${port}/api`,
        stop: () =>
          new Promise((done) => {
            child.removeAllListeners('exit');
            child.once('exit', () => done());
            child.kill();
          }),
      }),
    );
  });
}

/** A minimal Centrifugo: `publish`, `broadcast` and `batch` of publishes, with history offsets per channel. */
function serveFake() {
  const offsets = new Map();
  const publish = (channel) => {
    if (typeof channel !== 'string' || channel === '')
      return { error: { code: 107, message: 'bad request' } };
    const offset = (offsets.get(channel) ?? 0) + 1;
    offsets.set(channel, offset);
    return { result: { offset, epoch: 'bnch' } };
  };
  const handlers = {
    publish: (p) => publish(p.channel),
    broadcast: (p) =>
      Array.isArray(p.channels) && p.channels.length
        ? { result: { responses: p.channels.map((c) => publish(c)) } }
        : { error: { code: 107, message: 'bad request' } },
    batch: (p) => ({
      replies: (p.commands ?? []).map((command) => {
        const reply = command.publish
          ? publish(command.publish.channel)
          : { error: { code: 104, message: 'method not found' } };
        return reply.error ? reply : { publish: reply.result };
      }),
    }),
  };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      if (req.headers['x-api-key'] !== FAKE_KEY) return res.writeHead(401).end();
      const handler = handlers[(req.url ?? '').replace(/^\/api\//, '')];
      if (!handler) return res.writeHead(404).end('404 page not found\n');
      let body;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return res.writeHead(400).end('Bad Request\n');
      }
      const out = JSON.stringify(handler(body));
      res
        .writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(out) })
        .end(out);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
  process.on('disconnect', () => process.exit(0));
}

function argument(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

if (process.argv.includes('--serve')) serveFake();
else if (process.argv[1] === SELF) {
  const real = process.env.CENTRIFUGO_API_URL && process.env.CENTRIFUGO_API_KEY;
  const result = await measureRealtimeBatch({
    messages: argument('messages', 10_000),
    repetitions: argument('repetitions', 3),
    ...(real && { apiUrl: process.env.CENTRIFUGO_API_URL, apiKey: process.env.CENTRIFUGO_API_KEY }),
  });
  if (process.argv.includes('--json')) console.log(JSON.stringify(result));
  else {
    const { median: m, ratio } = result;
    console.log(
      `realtime: ${result.messages} publishes against ${result.target}, ${result.repetitions} repetitions (median)`,
    );
    console.log(`  sequential publish  ${m.sequentialMs.toFixed(1)} ms`);
    console.log(
      `  one batch           ${m.batchMs.toFixed(1)} ms   (sequential/batch ×${ratio.sequentialOverBatch.toFixed(1)})`,
    );
    console.log(
      `  one broadcast       ${m.broadcastMs.toFixed(1)} ms   (sequential/broadcast ×${ratio.sequentialOverBroadcast.toFixed(1)})`,
    );
  }
}
