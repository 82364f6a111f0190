import { EventEmitter } from 'node:events';
import type { Channel, ChannelModel } from 'amqplib';
import { AmqpChannelSlot } from './channel-slot';

class FakeChannel extends EventEmitter {
  close = jest.fn(async () => undefined);
}

const model = (): ChannelModel => ({}) as ChannelModel;

describe('AmqpChannelSlot', () => {
  it('opens one channel per connection and reuses it', async () => {
    const opened: FakeChannel[] = [];
    const slot = new AmqpChannelSlot(async () => {
      const channel = new FakeChannel();
      opened.push(channel);
      return channel as unknown as Channel;
    });
    const first = model();
    expect(await slot.get(first)).toBe(await slot.get(first));
    expect(opened).toHaveLength(1);
    await slot.get(model()); // a new connection gets its own channel
    expect(opened).toHaveLength(2);
  });

  it('replaces a channel that closed, keeping the error that closed it', async () => {
    const opened: FakeChannel[] = [];
    const slot = new AmqpChannelSlot(async () => {
      const channel = new FakeChannel();
      opened.push(channel);
      return channel as unknown as Channel;
    });
    const connection = model();
    const channel = await slot.get(connection);
    const notFound = Object.assign(new Error('NOT_FOUND - no exchange'), { code: 404 });
    opened[0].emit('error', notFound);
    opened[0].emit('close');
    expect(slot.closeReason(channel)).toBe(notFound);
    expect(await slot.get(connection)).not.toBe(channel);
  });

  it('retries opening after a failed open, and closes its channel on close()', async () => {
    let calls = 0;
    const channel = new FakeChannel();
    const slot = new AmqpChannelSlot(async () => {
      if (++calls === 1) throw new Error('channel.open refused');
      return channel as unknown as Channel;
    });
    const connection = model();
    await expect(slot.get(connection)).rejects.toThrow(new Error('channel.open refused'));
    await expect(slot.get(connection)).resolves.toBe(channel);
    await slot.close();
    expect(channel.close).toHaveBeenCalledTimes(1);
  });
});
