import { ConfigurationError } from '@databus/common';
import { describeWithBroker, uniqueName, waitFor } from '@databus/testing';
import { NoCommittedPositionError, SubscriptionLostError } from '../../src/errors';
import { Offset } from '../../src/offset/offset';
import { ResumePoint } from '../../src/runtime/resume-point';
import { IncomingRecord, OutgoingRecord } from '../../src/transport/transport-record.interface';
import { SubscriptionSpec, TransportSubscription } from '../../src/transport/transport.interface';
import { AmqpTransport } from '../../src/transports/amqp/amqp.transport';
import { amqpContext, amqpUrl, deleteAmqpDatasets, groupLockHeld, queueArguments } from './amqp-test-kit';

const json = (value: unknown, key?: string): OutgoingRecord => ({
  key,
  headers: { 'content-type': 'application/json' },
  data: Buffer.from(JSON.stringify(value)),
});

/** Fetches until `n` records arrived (or fails after the bound). */
async function take(sub: TransportSubscription, n: number, timeoutMs = 10_000): Promise<IncomingRecord[]> {
  const out: IncomingRecord[] = [];
  const deadline = Date.now() + timeoutMs;
  while (out.length < n) {
    if (Date.now() > deadline) throw new Error(`got ${out.length} of ${n} records`);
    out.push(...(await sub.fetch(n - out.length, 200)));
  }
  return out;
}

const values = (records: IncomingRecord[]): number[] => records.map((r) => JSON.parse(r.data.toString()).i);

describeWithBroker('amqp', 'amqp transport (SPI)', () => {
  const datasets: string[] = [];
  const groups: string[] = [];
  const transports: AmqpTransport[] = [];

  const open = async (overrides: Parameters<typeof amqpContext>[0] = {}): Promise<AmqpTransport> => {
    const transport = new AmqpTransport(amqpContext(overrides));
    transports.push(transport);
    await transport.connect();
    return transport;
  };
  const newDataset = (): string => {
    const name = uniqueName('amqp-spi');
    datasets.push(name);
    return name;
  };
  const newGroup = (): string => {
    const name = uniqueName('g');
    groups.push(name);
    return name;
  };
  const spec = (dataset: string, extra: Partial<SubscriptionSpec> = {}): SubscriptionSpec => ({
    dataset,
    start: Offset.BEGIN,
    prefetch: 50,
    groupExpiryMs: 3_600_000,
    ...extra,
  });

  afterEach(async () => {
    await Promise.all(transports.splice(0).map((t) => t.close()));
  });
  afterAll(async () => {
    await deleteAmqpDatasets(datasets, groups);
  });

  it('produces with confirms and reads from BEGIN with offsets, key, headers and content type', async () => {
    const transport = await open();
    const dataset = newDataset();
    await transport.produce(dataset, [
      json({ i: 0 }, 'a'),
      { ...json({ i: 1 }), headers: { 'content-type': 'application/json', trace: 't-1' } },
    ]);
    const sub = await transport.subscribe(spec(dataset));
    const records = await take(sub, 2);
    expect(records.map((r) => r.sequence)).toEqual([0, 1]);
    expect(values(records)).toEqual([0, 1]);
    expect(records[0].key).toBe('a');
    expect(records[1].headers).toEqual({ 'content-type': 'application/json', trace: 't-1' });
    expect(records[0].timestamp.getTime()).toBeGreaterThan(Date.now() - 60_000);
    await sub.close();
  });

  it('starts at LATEST with only new messages, and at a sequence', async () => {
    const transport = await open();
    const dataset = newDataset();
    await transport.produce(
      dataset,
      [0, 1, 2].map((i) => json({ i })),
    );
    const latest = await transport.subscribe(spec(dataset, { start: Offset.LATEST }));
    const fromTwo = await transport.subscribe(spec(dataset, { start: Offset.sequence(2) }));
    expect(await latest.fetch(10, 300)).toEqual([]);
    await transport.produce(dataset, [json({ i: 3 })]);
    expect(values(await take(latest, 1))).toEqual([3]);
    expect(values(await take(fromTwo, 2))).toEqual([2, 3]);
  });

  it('seeks by sequence and by time', async () => {
    const transport = await open();
    const dataset = newDataset();
    await transport.produce(
      dataset,
      [0, 1, 2].map((i) => json({ i })),
    );
    await new Promise((r) => setTimeout(r, 50));
    const middle = new Date();
    await new Promise((r) => setTimeout(r, 50));
    await transport.produce(
      dataset,
      [3, 4].map((i) => json({ i })),
    );
    const sub = await transport.subscribe(spec(dataset));
    expect(values(await take(sub, 5))).toEqual([0, 1, 2, 3, 4]);
    await sub.seek(Offset.sequence(1));
    expect(values(await take(sub, 4))).toEqual([1, 2, 3, 4]);
    await sub.seek(Offset.time(middle));
    expect(values(await take(sub, 2))).toEqual([3, 4]);
    expect(await sub.fetch(1, 200)).toEqual([]);
  });

  it('keeps a group position across subscriptions and transports', async () => {
    const dataset = newDataset();
    const group = newGroup();
    const first = await open();
    await first.produce(
      dataset,
      [0, 1, 2, 3].map((i) => json({ i })),
    );
    const sub = await first.subscribe(spec(dataset, { group }));
    const records = await take(sub, 4);
    await sub.ack(records.slice(0, 2));
    await sub.close();
    await first.close();

    const second = await open();
    const again = await second.subscribe(spec(dataset, { group, start: Offset.LATEST }));
    expect(values(await take(again, 2))).toEqual([2, 3]);
  });

  it('remembers where a new LATEST group started even before its first message', async () => {
    const dataset = newDataset();
    const group = newGroup();
    const transport = await open();
    await transport.produce(dataset, [json({ i: 0 })]);
    const sub = await transport.subscribe(spec(dataset, { group, start: Offset.LATEST }));
    await sub.close();
    await new Promise((r) => setTimeout(r, 20));
    await transport.produce(dataset, [json({ i: 1 })]);
    const again = await transport.subscribe(spec(dataset, { group, start: Offset.LATEST }));
    expect(values(await take(again, 1))).toEqual([1]);
  });

  it('gives a group one active member; the standby member takes over from the committed position', async () => {
    const dataset = newDataset();
    const group = newGroup();
    const a = await open();
    const b = await open();
    await a.produce(
      dataset,
      [0, 1, 2, 3, 4, 5].map((i) => json({ i })),
    );
    const subA = await a.subscribe(spec(dataset, { group }));
    const subB = await b.subscribe(spec(dataset, { group }));
    const gotA = await take(subA, 6);
    expect(await subB.fetch(6, 300)).toEqual([]);
    expect(await groupLockHeld(dataset, group)).toBe(true);
    await subA.ack(gotA.slice(0, 3));
    await subA.close();
    expect(values(await take(subB, 3))).toEqual([3, 4, 5]);
  });

  it('makes members of one group in one transport compete too', async () => {
    const dataset = newDataset();
    const group = newGroup();
    const t = await open();
    await t.produce(dataset, [json({ i: 0 })]);
    const one = await t.subscribe(spec(dataset, { group }));
    const two = await t.subscribe(spec(dataset, { group }));
    expect(values(await take(one, 1))).toEqual([0]);
    expect(await two.fetch(1, 300)).toEqual([]);
  });

  it('resumes a private subscription where the runtime says (ResumePoint), as after a failure', async () => {
    const t = await open();
    const dataset = newDataset();
    const s = spec(dataset, { start: Offset.LATEST });
    const resume = new ResumePoint(s, t.capabilities);
    const first = await t.subscribe(s);
    await first.close(); // lost before it received anything
    await t.produce(dataset, [json({ i: 0 }), json({ i: 1 })]); // produced during the "outage"
    const second = await t.subscribe(resume.resumeSpec(undefined));
    const got = await take(second, 2);
    resume.delivered(got);
    expect(values(got)).toEqual([0, 1]);
    await second.ack(got.slice(0, 1));
    await second.close();
    const third = await t.subscribe(resume.resumeSpec(got[1].sequence)); // the second was not finished
    expect(values(await take(third, 1))).toEqual([1]); // after the last acknowledged record
    const fresh = await t.subscribe(spec(dataset, { start: Offset.LATEST })); // another subscription: LATEST
    expect(await fresh.fetch(1, 300)).toEqual([]);
  });

  it('fails a NONE group without a committed position', async () => {
    const t = await open();
    await expect(
      t.subscribe(spec(newDataset(), { group: newGroup(), start: Offset.NONE })),
    ).rejects.toBeInstanceOf(NoCommittedPositionError);
  });

  it('answers requests through direct reply-to', async () => {
    const dataset = newDataset();
    const t = await open();
    const sub = await t.subscribe(spec(dataset, { start: Offset.LATEST }));
    const responder = (async () => {
      const [request] = await take(sub, 1);
      expect(request.replyTo).toMatch(/^amq\.rabbitmq\.reply-to/);
      await t.reply(request.replyTo as string, request.correlationId, json({ i: 42 }));
    })();
    const reply = await t.request(dataset, json({ i: 1 }), 5_000);
    await responder;
    expect(JSON.parse(reply.data.toString())).toEqual({ i: 42 });
  });

  it('connects to the next host of a cluster URL when the first does not answer', async () => {
    const live = new URL(amqpUrl());
    const url = `amqp://guest:guest@127.0.0.1:1,${live.hostname}:${live.port || 5672}`;
    const t = await open({ rawUrl: url });
    expect(t.status.type).toBe('connected');
    const dataset = newDataset();
    await t.produce(dataset, [json({ i: 0 })]);
  });

  it('declares streams with the replication setting (x-initial-cluster-size; a single node accepts it)', async () => {
    const t = await open({ transportOptions: { replicas: 3 } });
    const dataset = newDataset();
    await t.produce(dataset, [json({ i: 0 })]);
    expect(await queueArguments(dataset)).toMatchObject({
      'x-queue-type': 'stream',
      'x-initial-cluster-size': 3,
    });
    const sub = await t.subscribe(spec(dataset));
    expect(values(await take(sub, 1))).toEqual([0]);
    await sub.close();
  });

  it('fails on an unknown vhost with a ConfigurationError naming url', async () => {
    const url = `${amqpUrl().replace(/\/+$/, '')}/${uniqueName('no-such-vhost')}`;
    const t = new AmqpTransport(amqpContext({ rawUrl: url }));
    transports.push(t);
    const error = await t.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).option).toBe('url');
  });

  it('reports its status and rejects bad options', async () => {
    const t = await open();
    expect(t.status.type).toBe('connected');
    await t.close();
    expect(t.status.type).toBe('closed');
    expect(
      () => new AmqpTransport(amqpContext({ transportOptions: { retention: { maxAge: '7 days' } } })),
    ).toThrow(ConfigurationError);
  });

  it('declares streams with the retention from the options', async () => {
    const dataset = newDataset();
    const t = await open({ transportOptions: { retention: { maxAge: '1D', maxLengthBytes: 10_000_000 } } });
    await t.produce(dataset, [json({ i: 0 })]);
    const { execFileSync } = await import('node:child_process');
    const listed = execFileSync('rabbitmqctl', ['list_queues', '-q', 'name', 'arguments'], {
      encoding: 'utf8',
    });
    const line = listed.split('\n').find((l) => l.startsWith(dataset)) ?? '';
    expect(line).toContain('x-max-age');
    expect(line).toContain('1D');
    expect(line).toContain('10000000');
  });

  it('declares a stream again when it was deleted under a running transport (no silent drop)', async () => {
    const t = await open();
    const dataset = newDataset();
    await t.produce(dataset, [json({ i: 0 })]);
    await deleteAmqpDatasets([dataset]);
    await t.produce(dataset, [json({ i: 1 })]); // returned as unroutable, declared again, sent again
    const sub = await t.subscribe(spec(dataset));
    expect(values(await take(sub, 1))).toEqual([1]);
  });

  it('reports a subscription whose stream was deleted as lost', async () => {
    const t = await open();
    const dataset = newDataset();
    await t.produce(dataset, [json({ i: 0 })]);
    const sub = await t.subscribe(spec(dataset));
    expect(values(await take(sub, 1))).toEqual([0]);
    await deleteAmqpDatasets([dataset]);
    await expect(sub.fetch(1, 2_000)).rejects.toBeInstanceOf(SubscriptionLostError);
    await sub.close();
  });

  it('does not leave a lock behind when the active member closes', async () => {
    const dataset = newDataset();
    const group = newGroup();
    const t = await open();
    const sub = await t.subscribe(spec(dataset, { group }));
    expect(await groupLockHeld(dataset, group)).toBe(true);
    await sub.close();
    await waitFor(async () => !(await groupLockHeld(dataset, group)), { timeoutMs: 5_000 });
  });
});
