import { UnsupportedFeatureError } from '@databus/common';
import { describeWithBroker, uniqueName } from '@databus/testing';
import { NoCommittedPositionError, Offset, StreamingTransport } from '@databus/streaming';
import { drain, missing, mqttTransport, numbered, spec } from './mqtt-helpers';

describeWithBroker('mqtt', 'mqtt transport (SPI)', () => {
  let transport: StreamingTransport;
  beforeEach(async () => {
    transport = mqttTransport();
    await transport.connect();
  });
  afterEach(() => transport.close());

  it('maps key, headers and content type to MQTT 5 properties and back', async () => {
    const dataset = uniqueName('mqtt-props');
    const sub = await transport.subscribe(spec(dataset));
    try {
      await transport.produce(dataset, [
        {
          key: 'sensor-1',
          headers: { 'content-type': 'application/cbor', 'x-trace': 't1' },
          data: Buffer.from([0xa1, 0x61, 0x61, 0x01]),
        },
      ]);
      const [record] = await drain(sub, 1);
      expect(record).toMatchObject({
        dataset,
        key: 'sensor-1',
        headers: { 'content-type': 'application/cbor', 'x-trace': 't1' },
        sequence: 1,
        redelivered: false,
      });
      expect([...record.data]).toEqual([0xa1, 0x61, 0x61, 0x01]);
    } finally {
      await sub.close();
    }
  });

  it('sends application/json as no Content Type: the record arrives without one, read as JSON', async () => {
    const dataset = uniqueName('mqtt-json');
    const sub = await transport.subscribe(spec(dataset));
    try {
      await transport.produce(dataset, [
        {
          key: 'sensor-1',
          headers: { 'content-type': 'application/json', 'x-trace': 't1' },
          data: Buffer.from('{"a":1}'),
        },
      ]);
      const [record] = await drain(sub, 1);
      expect(record.headers).toEqual({ 'x-trace': 't1' });
      expect(record.key).toBe('sensor-1');
      expect(record.data.toString()).toBe('{"a":1}');
    } finally {
      await sub.close();
    }
  });

  it('synthesizes increasing sequences per subscription', async () => {
    const dataset = uniqueName('mqtt-seq');
    const sub = await transport.subscribe(spec(dataset));
    try {
      await transport.produce(dataset, numbered(30));
      const records = await drain(sub, 30);
      expect(records.map((r) => r.sequence)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
      expect(missing(records, 30)).toEqual([]);
    } finally {
      await sub.close();
    }
  });

  it('rejects sequence and time positions and seek with UnsupportedFeatureError', async () => {
    const dataset = uniqueName('mqtt-seek');
    await expect(transport.subscribe(spec(dataset, { start: Offset.sequence(1) }))).rejects.toBeInstanceOf(
      UnsupportedFeatureError,
    );
    await expect(transport.subscribe(spec(dataset, { start: Offset.time(new Date()) }))).rejects.toThrow(
      /mqtt transport does not support positions by time/,
    );
    const sub = await transport.subscribe(spec(dataset));
    try {
      await expect(sub.seek(Offset.BEGIN)).rejects.toBeInstanceOf(UnsupportedFeatureError);
    } finally {
      await sub.close();
    }
  });

  it('a durable group keeps what was published while its member was away', async () => {
    const dataset = uniqueName('mqtt-durable');
    const group = uniqueName('g');
    const first = await transport.subscribe(spec(dataset, { group }));
    await first.close();
    await transport.produce(dataset, numbered(25));
    const again = await transport.subscribe(spec(dataset, { group, start: Offset.NONE }));
    try {
      const records = await drain(again, 25);
      expect(missing(records, 25)).toEqual([]);
    } finally {
      await again.close();
    }
  });

  it('redelivers what was delivered but not acknowledged when the member comes back', async () => {
    const dataset = uniqueName('mqtt-redeliver');
    const group = uniqueName('g');
    const first = await transport.subscribe(spec(dataset, { group, prefetch: 10 }));
    await transport.produce(dataset, numbered(10));
    const got = await drain(first, 10, { ack: false });
    expect(got).toHaveLength(10);
    await first.ack(got.slice(0, 4)); // handlers 5..10 "crashed"
    await first.close();
    const again = await transport.subscribe(spec(dataset, { group, prefetch: 10 }));
    try {
      const redelivered = await drain(again, 6);
      expect(redelivered.map((r) => JSON.parse(r.data.toString()).n).sort((a, b) => a - b)).toEqual([
        5, 6, 7, 8, 9, 10,
      ]);
      expect(redelivered.every((r) => r.redelivered)).toBe(true);
    } finally {
      await again.close();
    }
  });

  it('holds at most prefetch unacknowledged deliveries', async () => {
    const dataset = uniqueName('mqtt-prefetch');
    const sub = await transport.subscribe(spec(dataset, { group: uniqueName('g'), prefetch: 5 }));
    try {
      await transport.produce(dataset, numbered(40));
      const firstFive = await drain(sub, 40, { ack: false, timeoutMs: 1000 });
      expect(firstFive.length).toBeLessThanOrEqual(5);
      await sub.ack(firstFive);
      const rest = await drain(sub, 40 - firstFive.length);
      expect(missing([...firstFive, ...rest], 40)).toEqual([]);
    } finally {
      await sub.close();
    }
  });

  it('Offset.NONE fails for a group without a session', async () => {
    await expect(
      transport.subscribe(spec(uniqueName('mqtt-none'), { group: uniqueName('g'), start: Offset.NONE })),
    ).rejects.toBeInstanceOf(NoCommittedPositionError);
  });

  it('shares a group between members', async () => {
    const dataset = uniqueName('mqtt-share');
    const group = uniqueName('g');
    const a = await transport.subscribe(spec(dataset, { group }));
    const b = await transport.subscribe(spec(dataset, { group }));
    try {
      await transport.produce(dataset, numbered(20));
      const [fromA, fromB] = await Promise.all([
        drain(a, 20, { timeoutMs: 1500 }),
        drain(b, 20, { timeoutMs: 1500 }),
      ]);
      expect(fromA.length).toBeGreaterThan(0);
      expect(fromB.length).toBeGreaterThan(0);
      expect(fromA.length + fromB.length).toBe(20);
      expect(missing([...fromA, ...fromB], 20)).toEqual([]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('request/reply uses the response topic and correlation data', async () => {
    const dataset = uniqueName('mqtt-rpc');
    const server = await transport.subscribe(spec(dataset, { group: 'responders' }));
    try {
      const pending = transport.request(
        dataset,
        { headers: { 'content-type': 'text/plain' }, data: Buffer.from('ping') },
        5000,
      );
      const [request] = await drain(server, 1);
      expect(request.replyTo).toMatch(/^databus\/inbox\//);
      await transport.reply(request.replyTo as string, request.correlationId, {
        headers: { 'content-type': 'text/plain' },
        data: Buffer.from('pong'),
      });
      const reply = await pending;
      expect(reply.data.toString()).toBe('pong');
      expect(reply.headers['content-type']).toBe('text/plain');
      await expect(
        transport.request(uniqueName('nobody'), { headers: {}, data: Buffer.from('x') }, 200),
      ).rejects.toThrow(/No reply/);
    } finally {
      await server.close();
    }
  });
});
