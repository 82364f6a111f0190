import { ConfigurationError, ConsumerError } from '@databus/common';
import { describeWithBroker, uniqueName } from '@databus/testing';
import { NoCommittedPositionError, Offset, SubscriptionSpec } from '@databus/streaming';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { NatsTransport, natsTransportFactory } from '../../src/transports/nats';
import { connect, nanos, type NatsConnection } from '../../src/transports/nats/nats-client';
import { ResumePoint } from '../../src/runtime/resume-point';
import { IncomingRecord } from '../../src/transport/transport-record.interface';
import { TransportSubscription } from '../../src/transport/transport.interface';
import { deleteTestStreams, natsContext, natsServer, testStreamPrefix } from './nats-test-kit';

const streamPrefix = testStreamPrefix();
const json = (i: number) => ({
  headers: { 'content-type': 'application/json' },
  data: Buffer.from(JSON.stringify({ i })),
});
const values = (records: IncomingRecord[]) => records.map((r) => JSON.parse(r.data.toString()).i as number);
const spec = (dataset: string, extra: Partial<SubscriptionSpec> = {}): SubscriptionSpec => ({
  dataset,
  start: Offset.BEGIN,
  prefetch: 10,
  groupExpiryMs: 3600_000,
  ...extra,
});

async function fetchN(sub: TransportSubscription, n: number, timeoutMs = 10_000): Promise<IncomingRecord[]> {
  const out: IncomingRecord[] = [];
  const deadline = Date.now() + timeoutMs;
  while (out.length < n && Date.now() < deadline) out.push(...(await sub.fetch(n - out.length, 200)));
  return out;
}

describeWithBroker('nats', 'nats transport (SPI level): streams, consumers, retention, nack, seek', () => {
  jest.setTimeout(30_000);
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let transport: NatsTransport;
  beforeAll(async () => {
    nc = await connect({ servers: natsServer() });
    jsm = await jetstreamManager(nc);
    transport = natsTransportFactory(
      natsContext({ transportOptions: { streamPrefix, stream: { maxMessages: 5 }, ackWaitMs: 30_000 } }),
    );
    await transport.connect();
  });
  afterAll(async () => {
    await transport?.close();
    await deleteTestStreams(streamPrefix);
    await nc?.close();
  });

  it('creates the stream with the retention options and a durable group consumer with the group expiry', async () => {
    const ds = uniqueName('retention');
    await transport.produce(ds, [1, 2, 3, 4, 5, 6, 7].map(json));
    const info = await jsm.streams.info(`${streamPrefix}${ds}`);
    expect(info.config.subjects).toEqual([ds]);
    expect(info.config.max_msgs).toBe(5);
    expect(info.state.messages).toBe(5);
    const sub = await transport.subscribe(spec(ds, { group: 'keepers', groupExpiryMs: 7_200_000 }));
    try {
      const got = await fetchN(sub, 5);
      expect(values(got)).toEqual([3, 4, 5, 6, 7]);
      expect(got.map((r) => r.sequence)).toEqual([3, 4, 5, 6, 7]);
      const consumer = await jsm.consumers.info(`${streamPrefix}${ds}`, 'keepers');
      expect(consumer.config).toMatchObject({
        durable_name: 'keepers',
        ack_policy: 'explicit',
        max_deliver: -1,
        max_ack_pending: 10,
        filter_subject: ds,
        ack_wait: nanos(30_000),
        inactive_threshold: nanos(7_200_000),
      });
      await sub.ack(got);
      // Another member with other settings: the expiry follows, max_ack_pending only grows.
      const wider = await transport.subscribe(
        spec(ds, { group: 'keepers', groupExpiryMs: 10_800_000, prefetch: 20 }),
      );
      const narrower = await transport.subscribe(
        spec(ds, { group: 'keepers', prefetch: 5, groupExpiryMs: 10_800_000 }),
      );
      const updated = await jsm.consumers.info(`${streamPrefix}${ds}`, 'keepers');
      expect(updated.config).toMatchObject({ max_ack_pending: 20, inactive_threshold: nanos(10_800_000) });
      expect(updated.delivered.stream_seq).toBe(7); // the position is untouched
      await Promise.all([wider.close(), narrower.close()]);
    } finally {
      await sub.close();
    }
  });

  it('an inactive durable group expires after groupExpiryMs (the server removes its consumer)', async () => {
    const ds = uniqueName('expiry');
    await transport.produce(ds, [json(1)]);
    const sub = await transport.subscribe(spec(ds, { group: 'short-lived', groupExpiryMs: 1000 }));
    await sub.ack(await fetchN(sub, 1));
    await sub.close();
    const stream = `${streamPrefix}${ds}`;
    const deadline = Date.now() + 15_000;
    let exists = true;
    while (exists && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      exists = await jsm.consumers.info(stream, 'short-lived').then(
        () => true,
        () => false,
      );
    }
    expect(exists).toBe(false);
    await expect(
      transport.subscribe(spec(ds, { group: 'short-lived', start: Offset.NONE })),
    ).rejects.toBeInstanceOf(NoCommittedPositionError);
  });

  it('transportOptions.maxAckPending below prefetch caps what a group member is sent, without errors', async () => {
    const capped = natsTransportFactory(
      natsContext({ transportOptions: { streamPrefix, maxAckPending: 2 } }),
    );
    await capped.connect();
    const ds = uniqueName('capped');
    await capped.produce(ds, [1, 2, 3, 4, 5, 6].map(json));
    const sub = await capped.subscribe(spec(ds, { group: 'capped', prefetch: 10 }));
    try {
      const first = await fetchN(sub, 6, 1500);
      expect(values(first)).toEqual([1, 2]);
      const rest: IncomingRecord[] = [];
      for (let batch = first; rest.length < 4;) {
        await sub.ack(batch);
        batch = await fetchN(sub, 2, 5000);
        expect(batch.length).toBeGreaterThan(0);
        rest.push(...batch);
      }
      await sub.ack(rest.slice(-2));
      expect(values(rest)).toEqual([3, 4, 5, 6]);
    } finally {
      await sub.close();
      await capped.close();
    }
  });

  it('members creating a new group at the same moment with different start times all join it', async () => {
    const ds = uniqueName('race');
    await transport.produce(ds, [json(1)]);
    const subs = await Promise.all(
      [1000, 2000, 3000].map((t) =>
        transport.subscribe(spec(ds, { group: 'racers', start: Offset.time(t) })),
      ),
    );
    try {
      const got = (await Promise.all(subs.map((sub) => sub.fetch(1, 500)))).flat();
      expect(values(got)).toEqual([1]);
    } finally {
      await Promise.all(subs.map((sub) => sub.close()));
    }
  });

  it('a private subscription uses an ephemeral consumer that is deleted on close', async () => {
    const ds = uniqueName('private');
    await transport.produce(ds, [json(1)]);
    const sub = await transport.subscribe(spec(ds));
    expect(values(await fetchN(sub, 1))).toEqual([1]);
    const stream = `${streamPrefix}${ds}`;
    expect((await jsm.consumers.list(stream).next()).length).toBe(1);
    await sub.close();
    expect((await jsm.consumers.list(stream).next()).length).toBe(0);
  });

  it('a private subscription that lost its consumer is replaced where it left off, not at its start', async () => {
    const ds = uniqueName('lost');
    await transport.produce(ds, [1, 2, 3, 4].map(json));
    const privateSpec = spec(ds, { prefetch: 2 });
    const resume = new ResumePoint(privateSpec, transport.capabilities);
    const first = await transport.subscribe(privateSpec);
    const got = await fetchN(first, 2);
    resume.delivered(got);
    await first.ack([got[0]]); // 2 stays unacknowledged
    const stream = `${streamPrefix}${ds}`;
    const [consumer] = await jsm.consumers.list(stream).next();
    await jsm.consumers.delete(stream, consumer.name); // e.g. expired after a long outage
    const unfinished = [got[1]];
    const untilLost = async (): Promise<void> => {
      const deadline = Date.now() + 5000;
      while (Date.now() < deadline) unfinished.push(...(await first.fetch(5, 200))); // buffered first, then the loss
      throw new Error('the consumer loss was not reported');
    };
    await expect(untilLost()).rejects.toBeInstanceOf(ConsumerError);
    await first.close();
    // What the runtime (RecordSource) does next: subscribe again at its resume point.
    const second = await transport.subscribe(
      resume.resumeSpec(Math.min(...unfinished.map((r) => r.sequence))),
    );
    try {
      const again = await fetchN(second, 2); // prefetch 2: acknowledge before asking for more
      await second.ack(again);
      again.push(...(await fetchN(second, 1)));
      expect(values(again)).toEqual([2, 3, 4]);
    } finally {
      await second.close();
    }
  });

  it('nack(delay) redelivers the message after the delay, flagged redelivered', async () => {
    const ds = uniqueName('nack');
    await transport.produce(ds, [json(1), json(2)]);
    const sub = await transport.subscribe(spec(ds, { group: 'g' }));
    try {
      const first = await fetchN(sub, 2);
      await sub.ack([first[1]]);
      const nackedAt = Date.now();
      await sub.nack(first[0], 400);
      const again = await fetchN(sub, 1);
      expect(Date.now() - nackedAt).toBeGreaterThanOrEqual(300);
      expect(values(again)).toEqual([1]);
      expect(again[0].redelivered).toBe(true);
      expect(again[0].sequence).toBe(first[0].sequence);
      await sub.ack(again);
    } finally {
      await sub.close();
    }
  });

  it('seek recreates a group consumer; the other member reattaches (or reports ConsumerError)', async () => {
    const ds = uniqueName('seek');
    await transport.produce(ds, [1, 2, 3, 4].map(json));
    const a = await transport.subscribe(spec(ds, { group: 'movers', prefetch: 2 }));
    const b = await transport.subscribe(spec(ds, { group: 'movers', prefetch: 2 }));
    // Both members for a while: b either keeps consuming on the recreated consumer or loses it with
    // ConsumerError (then the runtime subscribes it again); its earlier deliveries may come again.
    const drainBoth = async (ms: number): Promise<number[]> => {
      const seen: number[] = [];
      const deadline = Date.now() + ms;
      const drain = async (sub: TransportSubscription): Promise<void> => {
        while (Date.now() < deadline) {
          const got = await sub.fetch(2, 100).catch((error: unknown) => {
            expect(error).toBeInstanceOf(ConsumerError);
            return null;
          });
          if (got === null) return;
          seen.push(...values(got));
          await sub.ack(got);
        }
      };
      await Promise.all([drain(a), drain(b)]);
      return seen;
    };
    try {
      const fromA = await fetchN(a, 2);
      await a.ack(fromA);
      await a.seek(Offset.sequence(3));
      const consumer = await jsm.consumers.info(`${streamPrefix}${ds}`, 'movers');
      expect(consumer.config).toMatchObject({ deliver_policy: 'by_start_sequence', opt_start_seq: 3 });
      expect(await drainBoth(1500)).toEqual(expect.arrayContaining([3, 4]));
      await b.close(); // from here on a is the only member
      await a.seek(Offset.time(new Date(Date.now() + 60_000)));
      expect(await a.fetch(1, 300)).toEqual([]);
      await transport.produce(ds, [json(5)]);
      expect(values(await fetchN(a, 1))).toEqual([5]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('uses a stream the user already has for the subject, and only its dataset subject', async () => {
    const base = uniqueName('acme').replace(/-/g, '');
    const stream = `${streamPrefix}USER_${base}`;
    await jsm.streams.add({ name: stream, subjects: [`${base}.>`] });
    await nc.publish(`${base}.other`, JSON.stringify({ i: 0 }));
    await transport.produce(`${base}.readings`, [json(1), json(2)]);
    const sub = await transport.subscribe(spec(`${base}.readings`));
    try {
      expect(values(await fetchN(sub, 2))).toEqual([1, 2]);
      expect(await sub.fetch(5, 300)).toEqual([]);
      const names: string[] = [];
      for await (const name of jsm.streams.names(`${base}.readings`)) names.push(name);
      expect(names).toEqual([stream]);
    } finally {
      await sub.close();
    }
  });

  it('rejects dataset names that are not NATS subjects with ConfigurationError', async () => {
    await expect(transport.produce('bad name', [json(1)])).rejects.toBeInstanceOf(ConfigurationError);
    await expect(transport.subscribe(spec('wild.*'))).rejects.toBeInstanceOf(ConfigurationError);
  });
});
