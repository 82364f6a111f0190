import { collectGarbage } from '@databus/testing';
import { EventEmitter } from 'node:events';
import type { ConsumeMessage } from 'amqplib';
import { parseBrokerUrl, resolveBackoff } from '@databus/common';
import { Offset } from '../../offset/offset';
import { IncomingRecord } from '../../transport/transport-record.interface';
import { AmqpConnection } from './amqp-connection';
import { decodePosition } from './amqp-positions';
import { AmqpTopology } from './amqp-topology';
import { AmqpSubscription } from './amqp.subscription';
import { amqpTransportFactory } from './amqp.transport';

/** The part of an amqplib confirm channel a group subscription uses; position writes confirmed by hand. */
class FakeChannel extends EventEmitter {
  autoConfirm = true;
  readonly writes: Array<{ queue: string; position: unknown; confirm: () => void }> = [];
  private deliver?: (message: ConsumeMessage | null) => void;
  assertQueue = jest.fn(async () => ({}));
  consume = jest.fn(async (queue: string, onMessage: (message: ConsumeMessage | null) => void) => {
    if (!queue.startsWith('databus.lock.')) this.deliver = onMessage;
    return { consumerTag: `ctag-${queue}` };
  });
  get = jest.fn(async () => false as const);
  sendToQueue = jest.fn((queue: string, body: Buffer, _options: unknown, done: (error?: unknown) => void) => {
    const write = { queue, position: decodePosition(body), confirm: () => done(null) };
    this.writes.push(write);
    if (this.autoConfirm) write.confirm();
    return true;
  });
  ack = jest.fn();
  ackAll = jest.fn();
  nack = jest.fn();
  cancel = jest.fn(async () => ({}));
  close = jest.fn(async () => undefined);

  /** A stream delivery at `offset`. */
  push(offset: number): void {
    this.deliver?.({
      fields: {
        deliveryTag: offset + 1,
        redelivered: false,
        exchange: '',
        routingKey: 'd',
        consumerTag: 'c',
      },
      properties: { headers: { 'x-stream-offset': offset } },
      content: Buffer.from('{}'),
    } as unknown as ConsumeMessage);
  }
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function depsOf(channel: FakeChannel) {
  const connection = {
    consumerChannel: jest.fn(async () => channel),
    channel: jest.fn(async () => channel),
    onLost: () => () => undefined,
    prepareConsumerChannel: jest.fn(),
  } as unknown as AmqpConnection;
  const topology = {
    ensureOffsetQueue: jest.fn(async () => undefined),
    forget: jest.fn(),
  } as unknown as AmqpTopology;
  const logger = { debug: jest.fn(), log: jest.fn(), warn: jest.fn(), error: jest.fn() };
  return { connection, topology, logger, operationTimeoutMs: 1000, lockPollMs: 60_000 };
}

async function activeMember(channel: FakeChannel): Promise<AmqpSubscription> {
  const deps = depsOf(channel);
  const { connection } = deps;
  const sub = new AmqpSubscription(
    { dataset: 'd', group: 'g', start: Offset.sequence(0), prefetch: 10, groupExpiryMs: 60_000 },
    deps,
    () => undefined,
  );
  await sub.start();
  expect(connection.consumerChannel).toHaveBeenCalledWith(10, 1000, true); // it writes positions
  expect(sub.active).toBe(true);
  expect(connection.prepareConsumerChannel).toHaveBeenCalledWith(10, true); // the next member's channel
  return sub;
}

describe('AmqpSubscription (group member) commits', () => {
  it('takes overlapping acknowledgements: one position write at a time, the newest, in order', async () => {
    const channel = new FakeChannel();
    const sub = await activeMember(channel);
    expect(channel.writes.map((w) => w.position)).toEqual([{ kind: 'offset', offset: 0 }]); // a new group's start
    for (let offset = 0; offset < 3; offset++) channel.push(offset);
    const records = await sub.fetch(3, 0);
    expect(records.map((r) => r.sequence)).toEqual([0, 1, 2]);

    channel.autoConfirm = false;
    const done: number[] = [];
    const ack = (i: number): Promise<number> => sub.ack([records[i]]).then(() => done.push(i));
    const acks = [ack(0)];
    await settle();
    acks.push(ack(1), ack(2)); // while the first write is in flight
    await settle();
    // One write at a time: the first acknowledgement's; the others wait for its confirm.
    expect(channel.writes.slice(1).map((w) => w.position)).toEqual([{ kind: 'offset', offset: 1 }]);
    expect(done).toEqual([]);

    channel.writes[1].confirm();
    await settle();
    expect(done).toEqual([0]);
    // The two acknowledgements made meanwhile share one write, of the newest position.
    expect(channel.writes.slice(2).map((w) => w.position)).toEqual([{ kind: 'offset', offset: 3 }]);

    channel.writes[2].confirm();
    await Promise.all(acks);
    expect(done).toEqual([0, 1, 2]);
    expect(channel.writes).toHaveLength(3);
    // The broker's credit left with the acknowledgements, without waiting for the writes.
    expect(channel.ack).toHaveBeenCalled();
    await sub.close();
  });

  it('does not keep acknowledged records (nor their deliveries) alive while their position write is unconfirmed', async () => {
    const channel = new FakeChannel();
    const sub = await activeMember(channel);
    channel.autoConfirm = false;
    for (let offset = 0; offset < 3; offset++) channel.push(offset);
    let records: IncomingRecord[] | undefined = await sub.fetch(3, 0);
    const released = records.flatMap((record) => [
      new WeakRef(record),
      new WeakRef((record.token as { message: object }).message),
    ]);
    const acked = sub.ack(records);
    records = undefined;
    await settle(); // the broker's credit leaves with this tick's flush
    expect(channel.ack).toHaveBeenCalledTimes(1);
    channel.ack.mockClear(); // the mock's own record of its arguments
    expect(channel.writes.slice(1).map((w) => w.position)).toEqual([{ kind: 'offset', offset: 3 }]);
    await settle(); // a WeakRef holds its target until the turn ends
    collectGarbage();
    expect(released.map((ref) => ref.deref())).toEqual(released.map(() => undefined));
    channel.writes[1].confirm();
    await acked;
    await sub.close();
  });

  it('gives a private subscription a plain channel (it writes no position), and opens the next one ahead', async () => {
    const channel = new FakeChannel();
    const deps = depsOf(channel);
    const sub = new AmqpSubscription(
      { dataset: 'd', start: Offset.BEGIN, prefetch: 10, groupExpiryMs: 60_000 },
      deps,
      () => undefined,
    );
    await sub.start();
    expect(deps.connection.consumerChannel).toHaveBeenCalledWith(10, 1000, false);
    expect(deps.connection.prepareConsumerChannel).toHaveBeenCalledWith(10, false);
    expect(channel.sendToQueue).not.toHaveBeenCalled();
    await sub.close();
  });

  it('is what lets the runtime hand over overlapping acknowledgements (pipelinedAcks)', () => {
    const logger = { debug: jest.fn(), log: jest.fn(), warn: jest.fn(), error: jest.fn() };
    const transport = amqpTransportFactory({
      url: parseBrokerUrl('amqp://127.0.0.1:5672'),
      secure: false,
      clientId: 'unit',
      transportOptions: {},
      reconnect: resolveBackoff({ initialMs: 50, maxMs: 500 }, 'reconnect'),
      produceTimeoutMs: 1000,
      logger,
    });
    expect(transport.capabilities.pipelinedAcks).toBe(true);
  });
});
