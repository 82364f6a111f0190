import type { Message } from 'amqplib';
import { AmqpAckBatcher, AmqpSettleChannel } from './ack-batcher';

type Frame = [verb: 'ack' | 'nack' | 'ackAll', tag?: number, multiple?: boolean, requeue?: boolean];

function fakeChannel(): AmqpSettleChannel & { frames: Frame[]; closed: boolean } {
  const channel = {
    frames: [] as Frame[],
    closed: false,
    ack(message: Message, allUpTo?: boolean) {
      if (channel.closed) throw new Error('Channel closed');
      channel.frames.push(['ack', message.fields.deliveryTag, allUpTo === true]);
    },
    nack(message: Message, allUpTo?: boolean, requeue?: boolean) {
      if (channel.closed) throw new Error('Channel closed');
      channel.frames.push(['nack', message.fields.deliveryTag, allUpTo === true, requeue !== false]);
    },
    ackAll() {
      channel.frames.push(['ackAll']);
    },
  };
  return channel;
}

const delivery = (tag: number): Message => ({ fields: { deliveryTag: tag } }) as unknown as Message;
const nextTick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function setup(count: number) {
  const channel = fakeChannel();
  const batcher = new AmqpAckBatcher(channel);
  const messages = Array.from({ length: count }, (_, i) => delivery(i + 1));
  for (const message of messages) batcher.track(message);
  return { channel, batcher, messages };
}

describe('AmqpAckBatcher', () => {
  it('acknowledges a tick of in-order completions with one multiple ack, after the tick', async () => {
    const { channel, batcher, messages } = setup(5);
    for (const message of messages) batcher.ack(message);
    expect(channel.frames).toEqual([]); // marked only
    await nextTick();
    expect(channel.frames).toEqual([['ack', 5, true]]);
    expect(batcher.pending).toBe(0);
  });

  it('sends a nack between acks as a nack, in delivery order, never covered by an ack', async () => {
    const { channel, batcher, messages } = setup(5);
    batcher.ack(messages[0]);
    batcher.ack(messages[1]);
    batcher.nack(messages[2], true);
    batcher.ack(messages[3]);
    batcher.ack(messages[4]);
    await nextTick();
    expect(channel.frames).toEqual([
      ['ack', 2, true],
      ['nack', 3, false, true],
      ['ack', 5, true],
    ]);
  });

  it('keeps requeue and drop apart and sends a run of equal nacks as one multiple nack', async () => {
    const { channel, batcher, messages } = setup(4);
    batcher.nack(messages[0], false);
    batcher.nack(messages[1], false);
    batcher.nack(messages[2], true);
    batcher.ack(messages[3]);
    await nextTick();
    expect(channel.frames).toEqual([
      ['nack', 2, true, false],
      ['nack', 3, false, true],
      ['ack', 4, false],
    ]);
  });

  it('never sends a multiple frame past a pending delivery: later completions go one by one', async () => {
    const { channel, batcher, messages } = setup(4);
    batcher.ack(messages[0]);
    batcher.ack(messages[2]);
    batcher.nack(messages[3], true);
    await nextTick();
    expect(channel.frames).toEqual([
      ['ack', 1, false],
      ['ack', 3, false],
      ['nack', 4, false, true],
    ]);
    expect(batcher.pending).toBe(1);
    batcher.ack(messages[1]);
    await nextTick();
    // 3 and 4 are settled already: only 2 is left to acknowledge
    expect(channel.frames.slice(3)).toEqual([['ack', 2, false]]);
    expect(batcher.pending).toBe(0);
  });

  it('covers earlier out-of-order completions with the multiple ack once the gap closes in the same tick', async () => {
    const { channel, batcher, messages } = setup(3);
    batcher.ack(messages[2]);
    batcher.ack(messages[1]);
    batcher.ack(messages[0]);
    await nextTick();
    expect(channel.frames).toEqual([['ack', 3, true]]);
  });

  it('ignores a second settlement and deliveries it does not track', async () => {
    const { channel, batcher, messages } = setup(2);
    batcher.ack(messages[0]);
    batcher.nack(messages[0], true);
    batcher.ack(delivery(99));
    await nextTick();
    expect(channel.frames).toEqual([['ack', 1, false]]);
  });

  it('flush() sends at once (before a channel close)', () => {
    const { channel, batcher, messages } = setup(2);
    batcher.ack(messages[0]);
    batcher.ack(messages[1]);
    batcher.flush();
    expect(channel.frames).toEqual([['ack', 2, true]]);
  });

  it('ackThrough() acknowledges every pending delivery up to a tag in one frame', async () => {
    const { channel, batcher, messages } = setup(4);
    batcher.ackThrough(messages[2]);
    await nextTick();
    expect(channel.frames).toEqual([['ack', 3, true]]);
    expect(batcher.pending).toBe(1);
  });

  it('ackAll() sends one ack-all and forgets what it tracked', async () => {
    const { channel, batcher, messages } = setup(2);
    batcher.ack(messages[0]);
    batcher.ackAll();
    await nextTick();
    expect(channel.frames).toEqual([['ackAll']]);
    expect(batcher.pending).toBe(0);
  });

  it('forgets everything when the channel closed under it', async () => {
    const { channel, batcher, messages } = setup(2);
    batcher.ack(messages[0]);
    channel.closed = true;
    await nextTick();
    expect(channel.frames).toEqual([]);
    expect(batcher.pending).toBe(0);
  });

  it('keeps positions right across compaction of a long window', async () => {
    const { channel, batcher, messages } = setup(5000);
    // a slow first message; everything after it completes, then the first one
    for (let i = 1; i < 3000; i++) batcher.ack(messages[i]);
    await nextTick();
    expect(channel.frames).toHaveLength(2999);
    expect(channel.frames.every(([, , multiple]) => multiple === false)).toBe(true);
    batcher.ack(messages[0]);
    await nextTick();
    expect(channel.frames[2999]).toEqual(['ack', 1, false]);
    for (let i = 3000; i < 4000; i++) batcher.ack(messages[i]);
    batcher.ack(messages[4500]);
    await nextTick();
    expect(channel.frames.slice(3000)).toEqual([
      ['ack', 4000, true],
      ['ack', 4501, false],
    ]);
    expect(batcher.pending).toBe(999);
  });
});
