// Consume throughput on MQTT (Mosquitto): @OnDatasetMessage on the mqtt:// transport vs raw mqtt.js,
// through @databus/streaming's built dist (run `npm run build` first).
//
//   node bench/streaming-mqtt.mjs [--messages 20000] [--repetitions 3] [--prefetch 100] [--window 400] [--json]
//
// End to end, flow-controlled: Mosquitto's stock limits (max_queued_messages 1000) silently drop QoS 1
// messages queued for a subscriber that falls behind, so the bench cannot pre-fill a topic. Each run forks a
// consumer process; the parent publishes N 256-byte JSON messages at QoS 1 (mqtt.js publishAsync, 20 in
// flight) while keeping published - consumed <= --window (the consumer reports its count every 100 messages).
// The consumer times its first to N-th handled message and its own CPU (process.cpuUsage). Runs alternate
//   raw:     mqtt.js, MQTT 5 shared subscription `$share/<group>/<topic>`, QoS 1, Receive Maximum = prefetch,
//            JSON.parse per message, mqtt.js's automatic PUBACK;
//   handler: @OnDatasetMessage(topic, { group, batch: 100, prefetch }) (PUBACK after the handler resolves);
// for each repetition; medians and the median of the per-repetition ratios are printed. A run that does not
// receive every message (loss) fails loudly with the count. MQTT_URL overrides mqtt://127.0.0.1:1883.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { alternate, benchRequire, forkRun, runIfMain } from './lib/common.mjs';
import { drainBody, drainDatabus, drained, drainMain, drainResult } from './lib/drain.mjs';

const require = benchRequire(import.meta.url);
const SELF = fileURLToPath(import.meta.url);
const URL_DEFAULT = process.env.MQTT_URL ?? 'mqtt://127.0.0.1:1883';
const RUN_TIMEOUT_MS = 120_000;

/** The consumer's meter: it reports its count to the publisher (the credit) every 100 messages. */
const meter = (messages) => drained(messages, { progress: (count) => process.send({ progress: count }) });

async function childRaw({ url, topic, messages, prefetch, group }) {
  const mqtt = require('mqtt');
  const client = await mqtt.connectAsync(url, {
    protocolVersion: 5,
    clientId: `bench-raw-${randomUUID().slice(0, 8)}`,
    clean: true,
    properties: { receiveMaximum: prefetch },
  });
  const [count, finished] = meter(messages);
  client.on('message', (_topic, body) => count(JSON.parse(body.toString()).seq));
  await client.subscribeAsync(`$share/${group}/${topic}`, { qos: 1 });
  process.send({ type: 'ready' });
  const result = await finished;
  await client.endAsync();
  return result;
}

function childDatabus({ url, topic, messages, prefetch, group }) {
  const [count, finished] = meter(messages);
  return drainDatabus({
    kind: 'handler',
    dataset: topic.replaceAll('/', '.'), // the dataset whose MQTT topic is `topic`: its dots are the topic's levels
    group,
    options: { batch: 100, prefetch, retry: { attempts: 1 } },
    forRoot: { url, groupExpiryMs: 60_000, clientId: `bench-${randomUUID().slice(0, 8)}` },
    transport: 'mqtt',
    count,
    finished,
    started: () => process.send({ type: 'ready' }),
  });
}

/** Publishes `messages` at QoS 1 with 20 in flight, never more than `window` ahead of the consumer. */
async function produce(client, topic, messages, window, consumed) {
  let next = 0;
  const inflight = new Set();
  while (next < messages) {
    if (next - consumed() >= window || inflight.size >= 20) {
      if (inflight.size > 0) await Promise.race(inflight);
      else await new Promise((r) => setTimeout(r, 1));
      continue;
    }
    const p = client
      .publishAsync(topic, drainBody(next++), { qos: 1, properties: { contentType: 'application/json' } })
      .finally(() => inflight.delete(p));
    inflight.add(p);
  }
  await Promise.all(inflight);
}

/** One consumer run: fork it, wait until subscribed, publish with the credit window, collect the result. */
async function runOnce(kind, { url, messages, prefetch, window }) {
  const mqtt = require('mqtt');
  const topic = `bench/streaming-mqtt/${randomUUID().slice(0, 8)}`;
  let consumed = 0;
  const run = forkRun(
    SELF,
    kind,
    { url, topic, messages, prefetch, group: `bench-${kind}` },
    { timeoutMs: RUN_TIMEOUT_MS, onMessage: (m) => (consumed = m.progress ?? consumed) },
  );
  const result = run.result.catch((error) => {
    throw new Error(`${error.message}: ${consumed} of ${messages} messages arrived (lost?)`);
  });
  result.catch(() => undefined);
  await run.ready;
  const producer = await mqtt.connectAsync(url, { protocolVersion: 5, clean: true });
  try {
    await produce(producer, topic, messages, window, () => consumed);
    return await result;
  } finally {
    await producer.endAsync();
  }
}

/**
 * Measures end-to-end consume throughput of `messages` QoS 1 messages: raw mqtt.js vs @OnDatasetMessage.
 * @param {{ messages?: number, repetitions?: number, prefetch?: number, window?: number, url?: string }} [options]
 */
export async function measureStreamingMqtt(options = {}) {
  const messages = options.messages ?? 20_000;
  const repetitions = options.repetitions ?? 3;
  const prefetch = options.prefetch ?? 100;
  const window = options.window ?? 400;
  const url = options.url ?? URL_DEFAULT;
  const runs = await alternate(['raw', 'handler'], repetitions, (kind) =>
    runOnce(kind, { url, messages, prefetch, window }),
  );
  return drainResult(runs, { messages, repetitions, prefetch, window });
}

runIfMain(SELF, () =>
  drainMain({
    name: 'streaming-mqtt',
    children: { raw: childRaw, databus: childDatabus },
    measure: measureStreamingMqtt,
    flags: { messages: 20_000, repetitions: 3, prefetch: 100, window: 400 },
    title: (r) =>
      `MQTT QoS 1 end to end, ${r.messages} x 256 B JSON, prefetch ${r.prefetch}, credit window ${r.window}, ${r.repetitions} alternating runs`,
    labels: { raw: 'raw mqtt.js (auto PUBACK)', handler: '@OnDatasetMessage (group)' },
  }),
);
