import { EventEmitter } from 'node:events';
import type { Channel, ChannelModel } from 'amqplib';
import { AmqpSpareChannel } from './spare-channel';

class FakeChannel extends EventEmitter {
  readonly prefetches: number[] = [];
  closed = false;
  prefetch = jest.fn(async (count: number) => {
    this.prefetches.push(count);
  });
  close = jest.fn(async () => {
    this.closed = true;
    this.emit('close');
  });
}

const model = (): ChannelModel => ({}) as ChannelModel;
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function spareOf(open?: () => Promise<FakeChannel>): {
  spare: AmqpSpareChannel<Channel>;
  opened: FakeChannel[];
} {
  const opened: FakeChannel[] = [];
  const spare = new AmqpSpareChannel<Channel>(async () => {
    const channel = open ? await open() : new FakeChannel();
    opened.push(channel);
    return channel as unknown as Channel;
  });
  return { spare, opened };
}

describe('AmqpSpareChannel', () => {
  it('opens nothing before the first refill, then hands out the channel it opened ahead', async () => {
    const { spare, opened } = spareOf();
    const connection = model();
    await expect(spare.take(connection, 10)).resolves.toBeUndefined();
    await settle();
    expect(opened).toHaveLength(0);
    spare.refill(connection, 10);
    spare.refill(connection, 10); // one at a time
    await settle();
    spare.refill(connection, 10); // there is one already
    await settle();
    expect(opened).toHaveLength(1);
    expect(opened[0].prefetches).toEqual([10]); // basic.qos applied ahead
    await expect(spare.take(connection, 10)).resolves.toBe(opened[0]);
    expect(opened[0].prefetches).toEqual([10]); // the same prefetch: no second basic.qos
    await expect(spare.take(connection, 10)).resolves.toBeUndefined(); // taken
    expect(opened[0].close).not.toHaveBeenCalled(); // its taker owns it now
    opened[0].emit('close'); // the taker closing it does not touch the next spare
    spare.refill(connection, 10);
    await settle();
    await expect(spare.take(connection, 10)).resolves.toBe(opened[1]);
  });

  it('waits for the spare still opening rather than leaving it unused', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { spare, opened } = spareOf(async () => {
      await gate;
      return new FakeChannel();
    });
    const connection = model();
    spare.refill(connection, 10);
    const taken = spare.take(connection, 10);
    release();
    const channel = await taken;
    expect(opened).toHaveLength(1);
    expect(channel).toBe(opened[0]);
  });

  it('applies another prefetch to the spare it hands out', async () => {
    const { spare, opened } = spareOf();
    const connection = model();
    spare.refill(connection, 10);
    await settle();
    await expect(spare.take(connection, 3)).resolves.toBe(opened[0]);
    expect(opened[0].prefetches).toEqual([10, 3]);
    spare.refill(connection, 3);
    await settle();
    expect(opened[1].prefetches).toEqual([3]);
  });

  it('drops a spare that closed or belongs to an older connection', async () => {
    const { spare, opened } = spareOf();
    const first = model();
    spare.refill(first, 10);
    await settle();
    opened[0].emit('close'); // the connection (or the broker) closed it
    await expect(spare.take(first, 10)).resolves.toBeUndefined();
    spare.refill(first, 10);
    await settle();
    const second = model();
    await expect(spare.take(second, 10)).resolves.toBeUndefined(); // opened[1] was of the first connection
    expect(opened[1].close).toHaveBeenCalled();
    spare.refill(second, 10);
    await settle();
    await expect(spare.take(second, 10)).resolves.toBe(opened[2]);
  });

  it('leaves no spare after a failed open, and tries again on the next take', async () => {
    let calls = 0;
    const { spare, opened } = spareOf(async () => {
      if (++calls === 1) throw new Error('channel.open refused');
      return new FakeChannel();
    });
    const connection = model();
    spare.refill(connection, 10);
    await settle();
    await expect(spare.take(connection, 10)).resolves.toBeUndefined();
    spare.refill(connection, 10);
    await settle();
    await expect(spare.take(connection, 10)).resolves.toBe(opened[0]);
  });

  it('closes its spare on close(), and one still opening when it opens', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let calls = 0;
    const { spare, opened } = spareOf(async () => {
      if (++calls === 2) await gate;
      return new FakeChannel();
    });
    const connection = model();
    spare.refill(connection, 10);
    await settle();
    await spare.take(connection, 10); // takes opened[0]
    spare.refill(connection, 10); // waits on the gate
    await spare.close();
    release();
    await settle();
    expect(opened).toHaveLength(2);
    expect(opened[1].close).toHaveBeenCalled();
    await expect(spare.take(connection, 10)).resolves.toBeUndefined();
    spare.refill(connection, 10);
    await settle();
    expect(opened).toHaveLength(2); // closed: opens no more
  });
});
