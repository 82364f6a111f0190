import { Injectable } from '@nestjs/common';
import { connect, type ChannelModel, type ConsumeMessage } from 'amqplib';
import { describeWithBroker, uniqueName, waitFor } from '@databus/testing';
import { Ctx, DatasetMessage, Offset, OnDatasetMessage, Payload } from '@databus/streaming';
import { startApp, TestApp } from '../conformance/harness';
import { amqpUrl, deleteAmqpDatasets } from './amqp-test-kit';

/** A plain amqplib client and databus exchange JSON messages over a stream, in both directions. */
describeWithBroker('amqp', 'amqp transport interop with plain amqplib', () => {
  const datasets: string[] = [];
  let plain: ChannelModel;
  let app: TestApp | undefined;
  beforeAll(async () => {
    plain = await connect(amqpUrl());
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });
  afterAll(async () => {
    await plain.close();
    // Handlers without a group get a durable default group named after class and method.
    await deleteAmqpDatasets(datasets, ['Handler.on', 'Doubler.on']);
  });
  const newDataset = (): string => {
    const name = uniqueName('amqp-interop');
    datasets.push(name);
    return name;
  };

  it('consumes with @OnDatasetMessage what plain amqplib published as JSON', async () => {
    const dataset = newDataset();
    const seen: Array<{ payload: unknown; message: DatasetMessage }> = [];
    @Injectable()
    class Handler {
      @OnDatasetMessage(dataset, { offset: Offset.BEGIN, batch: 1 })
      on(@Payload() payload: unknown, @Ctx() message: DatasetMessage): void {
        seen.push({ payload, message });
      }
    }
    // The producer declares the stream itself, with its own arguments.
    const channel = await plain.createConfirmChannel();
    await channel.assertQueue(dataset, {
      durable: true,
      arguments: { 'x-queue-type': 'stream', 'x-max-age': '1h' },
    });
    channel.sendToQueue(dataset, Buffer.from(JSON.stringify({ sensor: 'a', value: 21.5 })), {
      contentType: 'application/json',
      persistent: true,
      headers: { 'x-databus-key': 'a', origin: 'plain', attempt: 3 },
    });
    channel.sendToQueue(dataset, Buffer.from('{"sensor":"b"}')); // no properties at all
    await channel.waitForConfirms();
    await channel.close();

    app = await startApp({ name: 'amqp', url: amqpUrl }, amqpUrl(), { providers: [Handler] });
    await waitFor(() => seen.length === 2, { message: 'both plain messages' });
    expect(seen[0].payload).toEqual({ sensor: 'a', value: 21.5 });
    expect(seen[0].message.key).toBe('a');
    expect(seen[0].message.headers).toMatchObject({
      origin: 'plain',
      attempt: '3',
      'content-type': 'application/json',
    });
    expect(seen[0].message.sequence).toBe(0);
    expect(seen[1].payload).toEqual({ sensor: 'b' });
  });

  it('produces a plain JSON body with standard properties that plain amqplib reads', async () => {
    const dataset = newDataset();
    app = await startApp({ name: 'amqp', url: amqpUrl }, amqpUrl());
    await app.channel.produce(dataset, { sensor: 'c', value: 1 }, { key: 'c', headers: { trace: 't-9' } });

    const channel = await plain.createChannel();
    await channel.prefetch(10);
    const got: ConsumeMessage[] = [];
    await channel.consume(dataset, (m) => m && got.push(m), {
      noAck: false,
      arguments: { 'x-stream-offset': 'first' },
    });
    await waitFor(() => got.length === 1, { message: 'the databus message' });
    await channel.close();
    const [message] = got;
    expect(JSON.parse(message.content.toString('utf8'))).toEqual({ sensor: 'c', value: 1 });
    expect(message.properties.contentType).toBe('application/json');
    expect(message.properties.deliveryMode).toBe(2);
    expect(typeof message.properties.messageId).toBe('string');
    expect(Math.abs(message.properties.timestamp - Date.now() / 1000)).toBeLessThan(120);
    expect(message.properties.headers).toMatchObject({
      trace: 't-9',
      'x-databus-key': 'c',
      'x-stream-offset': 0,
    });
  });

  it('answers a plain amqplib request sent with its own reply queue', async () => {
    const dataset = newDataset();
    @Injectable()
    class Doubler {
      @OnDatasetMessage(dataset, { offset: Offset.LATEST, batch: 1 })
      on(@Payload() payload: { n: number }): { doubled: number } {
        return { doubled: payload.n * 2 };
      }
    }
    app = await startApp({ name: 'amqp', url: amqpUrl }, amqpUrl(), { providers: [Doubler] });
    await new Promise((r) => setTimeout(r, 200));
    const channel = await plain.createConfirmChannel();
    const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
    const replies: ConsumeMessage[] = [];
    await channel.consume(queue, (m) => m && replies.push(m), { noAck: true });
    channel.sendToQueue(dataset, Buffer.from('{"n":21}'), {
      contentType: 'application/json',
      replyTo: queue,
      correlationId: 'req-1',
    });
    await channel.waitForConfirms();
    await waitFor(() => replies.length === 1, { message: 'the reply' });
    await channel.close();
    expect(JSON.parse(replies[0].content.toString())).toEqual({ doubled: 42 });
    expect(replies[0].properties.correlationId).toBe('req-1');
    expect(replies[0].properties.contentType).toBe('application/json');
  });
});
