import { Injectable } from '@nestjs/common';
import { describeWithBroker, uniqueName, waitFor } from '@databus/testing';
import { Ctx, DatasetMessage, Offset, OnDatasetMessage, Payload } from '@databus/streaming';
import { StreamingConnection } from '../../src/connection/streaming-connection';
import { STREAMING_CONNECTION } from '../../src/streaming.constants';
import { TransportStatus } from '../../src/transport/transport-status';
import { startApp } from '../conformance/harness';
import { SubscriptionLostError } from '../../src/errors';
import { AmqpTransport } from '../../src/transports/amqp/amqp.transport';
import {
  amqpContext,
  amqpUrl,
  deleteAmqpDatasets,
  restartRabbitMq,
  startCuttableProxy,
} from './amqp-test-kit';

describeWithBroker('amqp', 'amqp transport: broker restart mid-stream', () => {
  const dataset = uniqueName('amqp-restart');
  const group = uniqueName('g');
  afterAll(() => deleteAmqpDatasets([dataset], [group]));

  it('reconnects, resumes from the committed offset, and loses nothing', async () => {
    const total = 400;
    const seen: Array<{ i: number; sequence: number }> = [];
    @Injectable()
    class Recorder {
      @OnDatasetMessage(dataset, { group, offset: Offset.BEGIN, batch: 20 })
      on(@Payload() payload: { i: number }, @Ctx() message: DatasetMessage): void {
        seen.push({ i: payload.i, sequence: message.sequence });
      }
    }
    const app = await startApp({ name: 'amqp', url: amqpUrl }, amqpUrl(), {
      providers: [Recorder],
      options: { produceTimeoutMs: 90_000, reconnect: { initialMs: 100, maxMs: 1000 } },
    });
    const statuses: TransportStatus['type'][] = [];
    const transport = app.module.get<StreamingConnection>(STREAMING_CONNECTION).transport;
    const offStatus = transport.onStatus((s) => statuses.push(s.type));
    try {
      // No retry around produce: during the outage it must wait for the broker (bounded by produceTimeoutMs).
      const producing = (async () => {
        for (let i = 0; i < total; i++) {
          await app.channel.produce(dataset, { i });
          if (i % 20 === 0) await new Promise((r) => setTimeout(r, 10));
        }
      })();
      await waitFor(() => seen.length >= 60, { timeoutMs: 20_000, message: 'the first messages' });
      await restartRabbitMq();
      await producing;
      const distinct = (): number => new Set(seen.map((s) => s.i)).size;
      await waitFor(() => distinct() === total, { timeoutMs: 60_000, message: `all ${total} messages` });

      // Every message at least once.
      expect([...new Set(seen.map((s) => s.i))].sort((a, b) => a - b)).toEqual(
        Array.from({ length: total }, (_, k) => k),
      );
      // No gap in the stream offsets delivered (duplicates after the restart are allowed: at-least-once).
      const sequences = [...new Set(seen.map((s) => s.sequence))].sort((a, b) => a - b);
      expect(sequences[0]).toBe(0);
      expect(sequences[sequences.length - 1] - sequences[0] + 1).toBe(sequences.length);
      expect(statuses).toContain('reconnecting');
      expect(statuses[statuses.length - 1]).toBe('connected');
    } finally {
      offStatus();
      await app.close();
    }
  }, 180_000);
});

describeWithBroker('amqp', 'amqp transport: network cut', () => {
  const dataset = uniqueName('amqp-cut');
  const group = uniqueName('g');
  afterAll(() => deleteAmqpDatasets([dataset], [group]));

  it('keeps the process alive while reconnecting, then resumes the group from its committed offset', async () => {
    const proxy = await startCuttableProxy();
    const url = amqpUrl().replace(/@[^/]+/, `@127.0.0.1:${proxy.port}`);
    const transport = new AmqpTransport(amqpContext({ rawUrl: url }));
    const statuses: TransportStatus['type'][] = [];
    transport.onStatus((s) => statuses.push(s.type));
    const record = (i: number) => ({ headers: {}, data: Buffer.from(JSON.stringify({ i })) });
    const spec = { dataset, group, start: Offset.BEGIN, prefetch: 10, groupExpiryMs: 3_600_000 };
    try {
      await transport.connect();
      await transport.produce(dataset, [record(0), record(1)]);
      const sub = await transport.subscribe(spec);
      const first = await waitFor(async () => {
        const got = await sub.fetch(2, 200);
        return got.length === 2 ? got : undefined;
      });
      await sub.ack(first.slice(0, 1)); // commit offset 1: message 1 is not committed
      proxy.cut();
      await expect(sub.fetch(1, 2_000)).rejects.toBeInstanceOf(SubscriptionLostError);
      await waitFor(() => statuses.includes('reconnecting'), { message: 'reconnecting' });
      // The pending reconnect is a referenced timer: a worker process with no other handle stays alive.
      const timer = (transport as unknown as { connection: { reconnectTimer?: NodeJS.Timeout } }).connection
        .reconnectTimer;
      expect(timer?.hasRef()).toBe(true);
      await sub.close();
      proxy.restore();
      await waitFor(() => statuses[statuses.length - 1] === 'connected', { message: 'reconnected' });
      const again = await transport.subscribe(spec);
      const resumed = await waitFor(async () => {
        const got = await again.fetch(1, 200);
        return got.length === 1 ? got : undefined;
      });
      expect(resumed[0].sequence).toBe(1);
      await again.close();
    } finally {
      await transport.close();
      await proxy.close();
    }
  });

  it('a private subscription misses nothing produced while its connection was cut', async () => {
    const proxy = await startCuttableProxy();
    const url = amqpUrl().replace(/@[^/]+/, `@127.0.0.1:${proxy.port}`);
    const privateDataset = uniqueName('amqp-cut-private');
    const app = await startApp({ name: 'amqp', url: () => url }, url, {
      options: { reconnect: { initialMs: 50, maxMs: 300 } },
    });
    const producer = new AmqpTransport(amqpContext()); // straight to the broker, not through the proxy
    const seen: number[] = [];
    try {
      await producer.connect();
      const record = (i: number) => ({ headers: {}, data: Buffer.from(JSON.stringify({ i })) });
      const sub = await app.channel.subscribe(privateDataset, {
        offset: Offset.LATEST,
        batch: 5,
        maxWaitMs: 100,
        callback: (m) => void seen.push(m.json<{ i: number }>().i),
      });
      await producer.produce(privateDataset, [record(0), record(1)]);
      await waitFor(() => seen.length === 2, { message: 'the first two' });
      proxy.cut();
      await producer.produce(privateDataset, [record(2), record(3)]);
      await new Promise((r) => setTimeout(r, 300));
      proxy.restore();
      await waitFor(() => new Set(seen).size === 4, {
        timeoutMs: 15_000,
        message: 'the messages of the outage',
      });
      expect([...new Set(seen)].sort()).toEqual([0, 1, 2, 3]);
      await sub.close();
    } finally {
      await app.close();
      await producer.close();
      await proxy.close();
      await deleteAmqpDatasets([privateDataset]);
    }
  });
});
