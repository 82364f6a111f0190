import { Injectable } from '@nestjs/common';
import { describeWithBroker, waitFor } from '@databus/testing';
import { AckPolicy, DeliverPolicy, jetstreamManager, type JsMsg } from '@nats-io/jetstream';
import { Ctx, DatasetMessage, Offset, OnDatasetMessage, Payload } from '@databus/streaming';
import { dataset, startApp } from '../conformance/harness';
import { connect, headers, type NatsConnection } from '../../src/transports/nats/nats-client';
import { deleteTestStreams, natsServer, natsUrl, testStreamPrefix } from './nats-test-kit';

const streamPrefix = testStreamPrefix();
const target = { name: 'nats', url: natsUrl, options: { transportOptions: { streamPrefix } } };

describeWithBroker('nats', 'nats wire format and interop with plain nats.js', () => {
  let nc: NatsConnection;
  beforeAll(async () => {
    nc = await connect({ servers: natsServer() });
  });
  afterAll(async () => {
    await nc?.close();
    await deleteTestStreams(streamPrefix);
  });

  it('a handler receives JSON that plain nats.js published to the dataset subject (JetStream and core)', async () => {
    const ds = dataset('interop-in');
    const seen: Array<{ payload: unknown; key?: string; headers: Record<string, string>; seq: number }> = [];
    @Injectable()
    class Handler {
      @OnDatasetMessage(ds, { group: 'interop', offset: Offset.BEGIN, batch: 1 })
      on(@Payload() payload: unknown, @Ctx() msg: DatasetMessage) {
        seen.push({ payload, key: msg.key, headers: { ...msg.headers }, seq: msg.sequence });
      }
    }
    const app = await startApp(target, natsUrl(), { providers: [Handler] });
    try {
      const js = (await jetstreamManager(nc)).jetstream();
      const h = headers();
      h.set('Content-Type', 'application/json');
      h.set('x-databus-key', 'sensor-7');
      h.set('x-origin', 'plain-client');
      const ack = await js.publish(ds, JSON.stringify({ sensor: 7, value: 21.5 }), { headers: h });
      nc.publish(ds, JSON.stringify({ sensor: 8, value: 1 })); // core NATS publish: the stream captures it too
      await nc.flush();
      await waitFor(() => seen.length === 2, { message: 'both plain messages' });
      expect(seen[0]).toEqual({
        payload: { sensor: 7, value: 21.5 },
        key: 'sensor-7',
        headers: { 'content-type': 'application/json', 'x-origin': 'plain-client' },
        seq: ack.seq,
      });
      expect(seen[1].payload).toEqual({ sensor: 8, value: 1 });
      expect(seen[1].key).toBeUndefined();
    } finally {
      await app.close();
    }
  });

  it('what we produce is a plain JSON body with content-type and key headers for a plain JetStream consumer', async () => {
    const ds = dataset('interop-out');
    const app = await startApp(target, natsUrl(), { options: { handlers: false } });
    try {
      const produced = await app.channel.produce(
        ds,
        { sensor: 'a', value: 3 },
        { key: 'a', headers: { 'x-trace': 't1' } },
      );
      const jsm = await jetstreamManager(nc);
      const stream = await jsm.streams.find(ds);
      expect(stream).toBe(`${streamPrefix}${ds}`);
      const info = await jsm.consumers.add(stream, {
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
      });
      const consumer = await jsm.jetstream().consumers.get(stream, info.name);
      const msg = (await consumer.next({ expires: 5000 })) as JsMsg;
      expect(msg.subject).toBe(ds);
      expect(msg.seq).toBe(produced.sequence);
      expect(msg.json()).toEqual({ sensor: 'a', value: 3 });
      expect(msg.headers?.get('content-type')).toBe('application/json');
      expect(msg.headers?.get('x-databus-key')).toBe('a');
      expect(msg.headers?.get('x-trace')).toBe('t1');
      msg.ack();
      await jsm.consumers.delete(stream, info.name);
    } finally {
      await app.close();
    }
  });

  it('a request is stored with reply headers and answered over core NATS by a plain client', async () => {
    const ds = dataset('interop-rpc');
    const app = await startApp(target, natsUrl(), { options: { handlers: false } });
    try {
      // A plain responder: reads the stored request and replies to its x-databus-reply-to inbox.
      const jsm = await jetstreamManager(nc);
      const responding = (async () => {
        const stream = await waitFor(() => jsm.streams.find(ds).catch(() => undefined));
        const info = await jsm.consumers.add(stream, {
          ack_policy: AckPolicy.Explicit,
          deliver_policy: DeliverPolicy.All,
        });
        const consumer = await jsm.jetstream().consumers.get(stream, info.name);
        const req = (await consumer.next({ expires: 5000 })) as JsMsg;
        const h = headers();
        h.set('content-type', 'application/json');
        h.set('x-databus-correlation-id', req.headers?.get('x-databus-correlation-id') ?? '');
        nc.publish(
          req.headers?.get('x-databus-reply-to') ?? '',
          JSON.stringify({ sum: req.json<number[]>().length }),
          {
            headers: h,
          },
        );
        req.ack();
        await jsm.consumers.delete(stream, info.name);
      })();
      const reply = await app.channel.request(ds, [1, 2, 3], { timeoutMs: 10_000 });
      await responding;
      expect(reply.json()).toEqual({ sum: 3 });
    } finally {
      await app.close();
    }
  });
});
