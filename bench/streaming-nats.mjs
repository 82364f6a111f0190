// Consume throughput on NATS JetStream: @OnDatasetMessage on the nats:// transport vs raw @nats-io/jetstream,
// through @databus/streaming's built dist (run `npm run build` first).
//
//   node bench/streaming-nats.mjs [--messages 20000] [--repetitions 3] [--prefetch 1000] [--json]
//
// Drain mode: one stream is pre-filled once with N 256-byte JSON messages (awaited PubAcks, 1000 in flight).
// Every run then reads it from the beginning with a fresh consumer and times the first to the N-th handled
// message. Each run is a forked process, so CPU (process.cpuUsage) is that consumer's alone. Runs alternate
//   raw:     a durable pull consumer (explicit ack, max_ack_pending P), consume({ max_messages: P }),
//            JSON.parse + ack per message;
//   handler: @OnDatasetMessage(dataset, { group, offset: BEGIN, batch: 100, prefetch: P }) (durable group);
//   private: channel.subscribe(dataset, { offset: BEGIN, callback }) (ephemeral consumer);
// for each repetition; medians and the median of the per-repetition ratios are printed. The stream (and its
// consumers) is deleted at the end. NATS_URL overrides the loopback broker (nats://127.0.0.1:4222).
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { alternate, benchRequire, forkRun, runIfMain } from './lib/common.mjs';
import { drainBody, drainDatabus, drained, drainMain, drainResult } from './lib/drain.mjs';

const require = benchRequire(import.meta.url);
const SELF = fileURLToPath(import.meta.url);
const URL_DEFAULT = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const RUN_TIMEOUT_MS = 180_000;
const STREAM_PREFIX = 'BENCH_NATS_';

const servers = (url) =>
  url
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/^[^@]*@/, '')
    .split(/[/?]/)[0]
    .split(',');

async function admin(url, fn) {
  const { connect } = require('@nats-io/transport-node');
  const { jetstreamManager } = require('@nats-io/jetstream');
  const nc = await connect({ servers: servers(url) });
  try {
    return await fn(await jetstreamManager(nc));
  } finally {
    await nc.close();
  }
}

async function prefill(url, stream, subject, messages) {
  await admin(url, async (jsm) => {
    await jsm.streams.add({ name: stream, subjects: [subject], max_age: 3600e9 });
    const js = jsm.jetstream();
    const headers = require('@nats-io/transport-node').headers;
    for (let i = 0; i < messages; i += 1000) {
      const batch = [];
      for (let k = i; k < Math.min(messages, i + 1000); k++) {
        const h = headers();
        h.set('content-type', 'application/json');
        batch.push(js.publish(subject, drainBody(k), { headers: h }));
      }
      await Promise.all(batch);
    }
  });
}

/** Deletes this run's stream and the streams of earlier runs that were interrupted. */
async function cleanup(url) {
  await admin(url, async (jsm) => {
    const names = [];
    // Also a stream the transport created after an interrupted run deleted the bench's own one.
    for await (const name of jsm.streams.names())
      if (name.startsWith(STREAM_PREFIX) || name.startsWith('DATABUS_bench-streaming-nats-'))
        names.push(name);
    for (const name of names) await jsm.streams.delete(name).catch(() => undefined);
  });
}

async function childRaw({ url, stream, messages, prefetch, group }) {
  const { connect } = require('@nats-io/transport-node');
  const { jetstreamManager, AckPolicy, DeliverPolicy } = require('@nats-io/jetstream');
  const nc = await connect({ servers: servers(url) });
  const jsm = await jetstreamManager(nc);
  await jsm.consumers.add(stream, {
    durable_name: group,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    max_ack_pending: prefetch,
  });
  const consumer = await jsm.jetstream().consumers.get(stream, group);
  const [count, finished] = drained(messages);
  const iterator = await consumer.consume({ max_messages: prefetch });
  (async () => {
    for await (const m of iterator) {
      count(m.json().seq);
      m.ack();
    }
  })();
  const result = await finished;
  iterator.stop();
  await nc.drain();
  return result;
}

function childDatabus({ url, subject, messages, prefetch, group, kind }) {
  const { Offset } = require('@databus/streaming');
  const [count, finished] = drained(messages);
  return drainDatabus({
    kind,
    dataset: subject,
    group,
    options: { offset: Offset.BEGIN, batch: 100, prefetch, retry: { attempts: 1 } },
    forRoot: { url },
    transport: 'nats',
    count,
    finished,
  });
}

/**
 * Measures drain throughput of `messages` JetStream messages: raw @nats-io/jetstream vs @OnDatasetMessage
 * and a private callback subscription.
 * @param {{ messages?: number, repetitions?: number, prefetch?: number, url?: string }} [options]
 */
export async function measureStreamingNats(options = {}) {
  const messages = options.messages ?? 20_000;
  const repetitions = options.repetitions ?? 3;
  const prefetch = options.prefetch ?? 1000;
  const url = options.url ?? URL_DEFAULT;
  const id = randomUUID().slice(0, 8);
  const subject = `bench-streaming-nats-${id}`;
  const stream = `${STREAM_PREFIX}${id}`;
  const kinds = ['raw', 'handler', 'private'];
  let runs;
  await cleanup(url);
  try {
    await prefill(url, stream, subject, messages);
    runs = await alternate(
      kinds,
      repetitions,
      (kind, rep) =>
        forkRun(
          SELF,
          kind,
          { url, stream, subject, messages, prefetch, group: `${kind}-${rep}` },
          { timeoutMs: RUN_TIMEOUT_MS },
        ).result,
    );
  } finally {
    await cleanup(url).catch((error) =>
      console.error(`could not delete ${stream}: ${error.message} (the next run deletes it)`),
    );
  }
  return drainResult(runs, { messages, repetitions, prefetch });
}

runIfMain(SELF, () =>
  drainMain({
    name: 'streaming-nats',
    children: { raw: childRaw, databus: childDatabus },
    measure: measureStreamingNats,
    flags: { messages: 20_000, repetitions: 3, prefetch: 1000 },
    title: (r) =>
      `NATS JetStream drain, ${r.messages} x 256 B JSON, prefetch ${r.prefetch}, ${r.repetitions} alternating runs`,
    labels: {
      raw: 'raw @nats-io/jetstream',
      handler: '@OnDatasetMessage (group)',
      private: 'subscribe callback (private)',
    },
  }),
);
