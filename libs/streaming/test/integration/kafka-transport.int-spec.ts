import { Injectable } from '@nestjs/common';
import { Admin, Kafka, logLevel } from 'kafkajs';
import { ConfigurationError, parseBrokerUrl, resolveBackoff } from '@databus/common';
import { brokerUrl, describeWithBroker, uniqueName, waitFor } from '@databus/testing';
import { Ctx, DatasetMessage, Offset, OnDatasetMessage, Payload } from '@databus/streaming';
import { IncomingRecord } from '../../src/transport/transport-record.interface';
import {
  StreamingTransport,
  TransportContext,
  TransportSubscription,
} from '../../src/transport/transport.interface';
import { kafkaTransportFactory } from '../../src/transports/kafka';
import { startApp } from '../conformance/harness';

const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };
const brokers = (): string[] =>
  brokerUrl('kafka')
    .replace(/^kafka(\+ssl)?:\/\//, '')
    .split(',');

/** A kafka transport on the test broker (or `url`), as the module would build it. */
function transport(
  transportOptions: Record<string, unknown> = {},
  url = brokerUrl('kafka'),
): StreamingTransport {
  const context: TransportContext = {
    url: parseBrokerUrl(url),
    secure: false,
    clientId: uniqueName('databus-kafka-test'),
    transportOptions: { consumer: { maxWaitTimeMs: 100 }, ...transportOptions },
    reconnect: resolveBackoff({ initialMs: 100, maxMs: 1000 }, 'reconnect'),
    produceTimeoutMs: 15_000,
    logger: quiet,
  };
  return kafkaTransportFactory(context);
}

const json = (value: unknown, key?: string) => ({
  key,
  headers: { 'content-type': 'application/json' },
  data: Buffer.from(JSON.stringify(value)),
});

/** Fetches from `subs` (acknowledging) until `done` says so or the bound passes. */
async function drain(
  subs: TransportSubscription[],
  into: IncomingRecord[],
  done: () => boolean,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline)
    for (const sub of subs) {
      const got = await sub.fetch(50, 200);
      into.push(...got);
      await sub.ack(got);
    }
}

describeWithBroker('kafka', 'kafka transport on a broker', () => {
  jest.setTimeout(120_000);
  // Built in beforeAll: the body of a skipped describe still runs, and KAFKA_BROKERS may be unset.
  let kafka: Kafka;
  let admin: Admin;
  const topics: string[] = [];
  const topic = (prefix: string) => {
    const name = uniqueName(prefix);
    topics.push(name, `${name}.dlq`);
    return name;
  };
  beforeAll(async () => {
    kafka = new Kafka({ brokers: brokers(), clientId: 'plain-kafkajs', logLevel: logLevel.NOTHING });
    admin = kafka.admin();
    await admin.connect();
  });
  afterAll(async () => {
    const existing = new Set(await admin.listTopics());
    const created = topics.filter((t) => existing.has(t));
    if (created.length) await admin.deleteTopics({ topics: created }).catch(() => undefined);
    await admin.disconnect();
  });

  it('refuses at connect a replicationFactor above the cluster size (one broker here), naming the option', async () => {
    const t = transport({ replicationFactor: 3, minInsyncReplicas: 2 });
    try {
      const error = await t.connect().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigurationError);
      expect((error as ConfigurationError).option).toBe('transportOptions.replicationFactor');
      expect((error as Error).message).toContain('at most 1 (the Kafka cluster has 1 broker(s) up');
    } finally {
      await t.close();
    }
  });

  it('connects when the first host of a cluster URL does not answer (bootstraps from the next)', async () => {
    const t = transport({}, `kafka://127.0.0.1:1,${brokers().join(',')}`);
    try {
      await t.connect();
      expect(t.status.type).toBe('connected');
      const name = topic('first-down');
      const [result] = await t.produce(name, [json({ i: 1 })]);
      expect(result.sequence).toBe(0);
    } finally {
      await t.close();
    }
  });

  it('commits the watermark as last offset + 1 per partition (what a plain client reads as the group position)', async () => {
    const t = transport({ numPartitions: 3 });
    await t.connect();
    const ds = topic('kafka-commit');
    const group = uniqueName('g');
    try {
      const sub = await t.subscribe({
        dataset: ds,
        group,
        start: Offset.BEGIN,
        prefetch: 100,
        groupExpiryMs: 60_000,
      });
      for (let i = 0; i < 30; i++) await t.produce(ds, [json({ i }, `k${i % 5}`)]);
      const seen: IncomingRecord[] = [];
      await drain([sub], seen, () => new Set(seen.map((r) => `${r.partition}:${r.sequence}`)).size >= 30);
      await sub.close();
      const high = await admin.fetchTopicOffsets(ds);
      const committed = (await admin.fetchOffsets({ groupId: group, topics: [ds] }))[0].partitions;
      for (const p of high) {
        const last = Math.max(-1, ...seen.filter((r) => r.partition === p.partition).map((r) => r.sequence));
        expect(committed.find((c) => c.partition === p.partition)?.offset).toBe(String(last + 1));
        expect(String(last + 1)).toBe(p.high);
      }
    } finally {
      await t.close();
    }
  });

  it('starts at BEGIN, LATEST and a sequence, and seeks back by sequence, on a partition (keyed records)', async () => {
    const t = transport();
    await t.connect();
    const ds = topic('kafka-positions');
    const base = { dataset: ds, prefetch: 100, groupExpiryMs: 60_000 };
    const values = (records: IncomingRecord[]) =>
      records.map((r) => JSON.parse(r.data.toString()).i as number);
    try {
      for (let i = 0; i < 5; i++) await t.produce(ds, [json({ i }, 'one-key')]);
      const read = async (sub: TransportSubscription, n: number) => {
        const got: IncomingRecord[] = [];
        await drain([sub], got, () => got.length >= n);
        return got;
      };
      const begin = await t.subscribe({ ...base, start: Offset.BEGIN });
      const all = await read(begin, 5);
      expect(values(all)).toEqual([0, 1, 2, 3, 4]);
      expect(new Set(all.map((r) => r.partition)).size).toBe(1);
      await begin.seek(Offset.sequence(all[2].sequence));
      expect(values(await read(begin, 3))).toEqual([2, 3, 4]);
      await begin.close();
      const fromSeq = await t.subscribe({ ...base, start: Offset.sequence(all[3].sequence) });
      expect(values(await read(fromSeq, 2))).toEqual([3, 4]);
      await fromSeq.close();
      const latest = await t.subscribe({ ...base, group: uniqueName('g'), start: Offset.LATEST });
      await t.produce(ds, [json({ i: 5 }, 'one-key')]);
      expect(values(await read(latest, 1))).toEqual([5]);
      await latest.close();
    } finally {
      await t.close();
    }
  });

  it('a second member takes partitions over: every record is seen at least once, with no gap', async () => {
    const a = transport({ numPartitions: 3 });
    const b = transport({ numPartitions: 3 });
    await Promise.all([a.connect(), b.connect()]);
    const ds = topic('kafka-rebalance');
    const group = uniqueName('g');
    const spec = { dataset: ds, group, start: Offset.BEGIN, prefetch: 20, groupExpiryMs: 60_000 };
    try {
      const first = await a.subscribe(spec);
      for (let i = 0; i < 60; i++) await a.produce(ds, [json({ i }, `k${i % 6}`)]);
      const seen: IncomingRecord[] = [];
      await drain([first], seen, () => seen.length >= 10);
      const second = await b.subscribe(spec);
      const indexes = () => new Set(seen.map((r) => JSON.parse(r.data.toString()).i as number));
      await drain([first, second], seen, () => indexes().size >= 60, 60_000);
      expect([...indexes()].sort((x, y) => x - y)).toEqual(Array.from({ length: 60 }, (_, i) => i));
      await Promise.all([first.close(), second.close()]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('a member leaving mid-stream hands its partitions over: none lost, doubles only within the in-flight window', async () => {
    const a = transport({ numPartitions: 4 });
    const b = transport({ numPartitions: 4 });
    await Promise.all([a.connect(), b.connect()]);
    const ds = topic('kafka-leave');
    const group = uniqueName('g');
    const prefetch = 20;
    const spec = { dataset: ds, group, start: Offset.BEGIN, prefetch, groupExpiryMs: 60_000 };
    const total = 200;
    const index = (r: IncomingRecord) => JSON.parse(r.data.toString()).i as number;
    try {
      const first = await a.subscribe(spec);
      const second = await b.subscribe(spec);
      for (let i = 0; i < total / 2; i++) await a.produce(ds, [json({ i }, `k${i % 8}`)]);
      const byA: IncomingRecord[] = [];
      const byB: IncomingRecord[] = [];
      // Both members consume their partitions until half the records are in, then A leaves.
      const deadline = Date.now() + 30_000;
      while (byA.length + byB.length < total / 2 && Date.now() < deadline)
        for (const [sub, into] of [
          [first, byA],
          [second, byB],
        ] as const) {
          const got = await sub.fetch(50, 200);
          into.push(...got);
          await sub.ack(got);
        }
      expect(byA.length).toBeGreaterThan(0);
      expect(byB.length).toBeGreaterThan(0);
      await first.close();
      for (let i = total / 2; i < total; i++) await b.produce(ds, [json({ i }, `k${i % 8}`)]);
      const indexes = () => new Set([...byA, ...byB].map(index));
      await drain([second], byB, () => indexes().size >= total, 60_000);
      expect([...indexes()].sort((x, y) => x - y)).toEqual(Array.from({ length: total }, (_, i) => i));
      // B took A's partitions over: records of both halves in partitions A had held.
      const aPartitions = new Set(byA.map((r) => r.partition));
      expect(byB.some((r) => aPartitions.has(r.partition) && index(r) >= total / 2)).toBe(true);
      // Handled by both: at most one in-flight window of A's (acknowledged but not yet committed).
      const both = byA.filter((r) => byB.some((o) => index(o) === index(r)));
      expect(both.length).toBeLessThanOrEqual(prefetch);
      await second.close();
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('request/reply between two instances through the requester reply topic', async () => {
    const requester = transport();
    const responder = transport();
    await Promise.all([requester.connect(), responder.connect()]);
    const ds = topic('kafka-rpc');
    try {
      const server = await responder.subscribe({
        dataset: ds,
        group: 'rpc',
        start: Offset.LATEST,
        prefetch: 10,
        groupExpiryMs: 60_000,
      });
      const pending = requester.request(ds, json({ n: 20 }), 30_000);
      const got: IncomingRecord[] = [];
      await waitFor(async () => (got.push(...(await server.fetch(1, 200))), got.length > 0), {
        timeoutMs: 30_000,
      });
      const [request] = got;
      await responder.reply(request.replyTo as string, request.correlationId, json({ n: 21 }));
      const reply = await pending;
      expect(JSON.parse(reply.data.toString())).toEqual({ n: 21 });
      topics.push(request.replyTo as string);
      await server.close();
    } finally {
      await Promise.all([requester.close(), responder.close()]);
    }
  });

  it('interoperates with a plain kafkajs client in both directions (JSON body, key, headers)', async () => {
    const inbound = topic('kafka-interop-in');
    const outbound = topic('kafka-interop-out');
    const seen: Array<{ payload: unknown; key?: string; trace?: string }> = [];
    @Injectable()
    class Handler {
      @OnDatasetMessage(inbound, { offset: Offset.BEGIN, batch: 1 })
      on(@Payload() payload: unknown, @Ctx() msg: DatasetMessage) {
        seen.push({ payload, key: msg.key, trace: msg.headers.trace });
      }
    }
    // The test broker does not auto-create topics: the plain clients' topics must exist first.
    await admin.createTopics({
      topics: [inbound, outbound].map((t) => ({ topic: t, numPartitions: 1 })),
      waitForLeaders: true,
    });
    const producer = kafka.producer();
    const consumer = kafka.consumer({ groupId: uniqueName('plain') });
    await producer.connect();
    await producer.send({
      topic: inbound,
      messages: [
        {
          key: 'sensor-7',
          value: JSON.stringify({ value: 42 }),
          headers: { trace: 'abc', 'content-type': 'application/json' },
        },
      ],
    });
    const app = await startApp({ name: 'kafka', url: () => brokerUrl('kafka') }, brokerUrl('kafka'), {
      providers: [Handler],
    });
    const received: Array<{ value: string; key?: string; contentType?: string }> = [];
    try {
      await waitFor(() => seen.length === 1, { timeoutMs: 30_000, message: 'the plain message' });
      expect(seen[0]).toEqual({ payload: { value: 42 }, key: 'sensor-7', trace: 'abc' });
      await consumer.connect();
      await consumer.subscribe({ topics: [outbound], fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          received.push({
            value: message.value?.toString() ?? '',
            key: message.key?.toString(),
            contentType: message.headers?.['content-type']?.toString(),
          });
        },
      });
      await app.channel.produce(outbound, { reading: 1 }, { key: 'sensor-8' });
      await waitFor(() => received.length === 1, {
        timeoutMs: 30_000,
        message: 'our message at the plain client',
      });
      expect(received[0]).toEqual({
        value: '{"reading":1}',
        key: 'sensor-8',
        contentType: 'application/json',
      });
    } finally {
      await app.close();
      await consumer.disconnect();
      await producer.disconnect();
    }
  });
});
