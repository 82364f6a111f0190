import { EventEmitter } from 'node:events';
import type { ChannelModel } from 'amqplib';
import { AuthenticationError, PermanentError, TemporaryError } from '../errors';
import { RetriesExhaustedError } from '../retry';
import { AmqpConfirmPublisher, AmqpPublication } from './confirm-publisher';

type Confirm = (error: Error | null) => void;

/** A confirm channel that records each publish and lets the test ack, nack, return or close, as amqplib does. */
class FakeConfirmChannel extends EventEmitter {
  readonly published: Array<{ routingKey: string; body: string; messageId?: unknown; confirm: Confirm }> = [];
  /** How many more publishes fit before `publish` returns false (a full socket buffer). */
  room = Infinity;
  private open = true;

  publish(
    _exchange: string,
    routingKey: string,
    body: Buffer,
    options: { messageId?: unknown },
    confirm: Confirm,
  ): boolean {
    if (!this.open) throw new Error('Channel closed');
    this.published.push({ routingKey, body: body.toString(), messageId: options.messageId, confirm });
    return --this.room > 0;
  }

  ackAll(): void {
    for (const p of this.published.splice(0)) p.confirm(null);
  }

  /** The broker closes the channel (with `reason`, as a channel error, when given). */
  closeByBroker(reason?: Error): void {
    if (reason) this.emit('error', reason);
    this.open = false;
    for (const p of this.published.splice(0)) p.confirm(new Error('channel closed'));
    this.emit('close');
  }

  close = jest.fn(async () => this.closeByBroker());
}

function setup(timeoutMs = 10_000) {
  const channels: FakeConfirmChannel[] = [];
  const returned: string[] = [];
  const model = {
    createConfirmChannel: async () => {
      const channel = new FakeConfirmChannel();
      channels.push(channel);
      return channel;
    },
  } as unknown as ChannelModel;
  const publisher = new AmqpConfirmPublisher({
    where: 'amqp://broker:5672',
    timeout: { option: 'produceTimeoutMs', ms: timeoutMs },
    closedMessage: 'The test publisher is closed.',
    connection: async () => model,
    onReturned: (routingKey) => returned.push(routingKey),
  });
  return { channels, publisher, returned, deadline: () => Date.now() + timeoutMs };
}

const message = (body: string, routingKey = 'q', extra: Partial<AmqpPublication> = {}): AmqpPublication => ({
  exchange: '',
  routingKey,
  content: Buffer.from(body),
  options: { persistent: true },
  ...extra,
});
const settled = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
};
/** Waits (bounded) until `channels` holds a channel with `count` publishes, through the retry pause. */
async function published(channels: FakeConfirmChannel[], count: number): Promise<FakeConfirmChannel> {
  for (let i = 0; i < 400; i++) {
    const last = channels[channels.length - 1];
    if (last && last.published.length >= count) return last;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`never saw ${count} publishes`);
}

describe('AmqpConfirmPublisher', () => {
  it('sends the publishes of one tick to one destination as one batch, resolved only on every confirm', async () => {
    const { channels, publisher, deadline } = setup();
    const outcomes: string[] = [];
    const calls = ['a', 'b'].map((body) =>
      publisher.publish({ ...message(body), deadline: deadline() }).then(() => outcomes.push(body)),
    );
    const other = publisher.publish({ ...message('c', 'q2'), deadline: deadline() });
    await settled();
    expect(channels).toHaveLength(1);
    expect(channels[0].published.map((p) => `${p.routingKey}:${p.body}`)).toEqual(['q:a', 'q:b', 'q2:c']);
    channels[0].published[0].confirm(null);
    await settled();
    expect(outcomes).toEqual([]); // the batch waits for every confirm of it
    channels[0].ackAll();
    await Promise.all([...calls, other]);
    expect(outcomes).toEqual(['a', 'b']);
  });

  it('publishes again only what the broker nacked, then resolves', async () => {
    const { channels, publisher, deadline } = setup();
    const done = publisher.publishBatch([message('a'), message('b'), message('c')], deadline());
    await settled();
    const [a, b, c] = channels[0].published.splice(0);
    a.confirm(null);
    b.confirm(new Error('message nacked'));
    c.confirm(null);
    const channel = await published(channels, 1);
    expect(channel.published.map((p) => p.body)).toEqual(['b']);
    channel.ackAll();
    await expect(done).resolves.toBeUndefined();
  });

  it('re-sends on a new channel what a channel lost mid-batch, and only that', async () => {
    const { channels, publisher, deadline } = setup();
    const done = publisher.publishBatch([message('a'), message('b'), message('c')], deadline());
    await settled();
    channels[0].published.shift()?.confirm(null);
    channels[0].closeByBroker();
    await published(channels, 2);
    expect(channels).toHaveLength(2);
    expect(channels[1].published.map((p) => p.body)).toEqual(['b', 'c']);
    channels[1].ackAll();
    await expect(done).resolves.toBeUndefined();
  });

  it('fails at once with a PermanentError when the broker closes the channel with an error it would repeat', async () => {
    const { channels, publisher, deadline } = setup();
    const done = publisher.publishBatch([message('a', '', { exchange: 'gone' })], deadline());
    await settled();
    channels[0].closeByBroker(
      Object.assign(
        new Error(`Channel closed by server: 404 (NOT-FOUND) with message "NOT_FOUND - no exchange 'gone'"`),
        {
          code: 404,
        },
      ),
    );
    const error = await done.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as Error).message).toBe(
      `The broker at amqp://broker:5672 refused the publish: Channel closed by server: 404 (NOT-FOUND) with message "NOT_FOUND - no exchange 'gone'"`,
    );
    expect(channels).toHaveLength(1); // not published again
  });

  it('maps a refused access on publish to AuthenticationError', async () => {
    const { channels, publisher, deadline } = setup();
    const done = publisher.publishBatch([message('a')], deadline());
    await settled();
    channels[0].closeByBroker(
      Object.assign(new Error('ACCESS_REFUSED - write access denied'), { code: 403 }),
    );
    await expect(done).rejects.toBeInstanceOf(AuthenticationError);
  });

  it('waits for drain when the socket buffer is full before writing the rest', async () => {
    const { channels, publisher, deadline } = setup();
    const first = publisher.publishBatch([message('a'), message('b'), message('c')], deadline());
    await settled();
    const channel = channels[0];
    expect(channel.published.map((p) => p.body)).toEqual(['a', 'b', 'c']);
    channel.room = 1; // the next publish fills the buffer
    const second = publisher.publishBatch([message('d'), message('e')], deadline());
    await settled();
    expect(channel.published.map((p) => p.body)).toEqual(['a', 'b', 'c', 'd']); // 'e' waits for drain
    const third = publisher.publishBatch([message('f')], deadline());
    await settled();
    expect(channel.published).toHaveLength(4); // a later batch waits too
    channel.room = Infinity;
    channel.emit('drain');
    await settled();
    expect(channel.published.map((p) => p.body)).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    channel.ackAll();
    await expect(Promise.all([first, second, third])).resolves.toHaveLength(3);
  });

  it('publishes again a mandatory message the broker returned, after telling the owner', async () => {
    const { channels, publisher, returned, deadline } = setup();
    const done = publisher.publishBatch(
      [message('a', 'missing', { options: { mandatory: true, messageId: 'm-1' } })],
      deadline(),
    );
    await settled();
    channels[0].emit('return', {
      fields: { exchange: '', routingKey: 'missing' },
      properties: { messageId: 'm-1' },
    });
    channels[0].ackAll(); // RabbitMQ confirms a returned message after the return
    const channel = await published(channels, 1);
    expect(returned).toEqual(['missing']);
    expect(channel.published.map((p) => p.messageId)).toEqual(['m-1']);
    channel.ackAll();
    await expect(done).resolves.toBeUndefined();
  });

  it('fails what is not confirmed by the deadline with RetriesExhaustedError naming the timeout option', async () => {
    const { channels, publisher } = setup(40);
    const outcomes = Promise.allSettled([
      publisher.publish({ ...message('a'), deadline: Date.now() + 40 }),
      publisher.publish({ ...message('b'), deadline: Date.now() + 40 }),
    ]);
    await settled();
    expect(channels[0].published).toHaveLength(2);
    for (const result of await outcomes) {
      const reason = (result as PromiseRejectedResult).reason as Error;
      expect(reason).toBeInstanceOf(RetriesExhaustedError);
      expect(reason).toBeInstanceOf(TemporaryError);
      expect(reason.message).toBe(
        'Gave up after 1 attempt within produceTimeoutMs = 40 ms: The broker at amqp://broker:5672 did not confirm 2 message(s) in time.',
      );
    }
  });

  it('close() fails the publishes still waiting with a TemporaryError and publishes nothing more', async () => {
    const { channels, publisher, deadline } = setup();
    const done = publisher.publishBatch([message('a')], deadline());
    await settled();
    await publisher.close();
    const error = await done.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TemporaryError);
    expect((error as Error).message).toBe('The test publisher is closed.');
    await expect(publisher.publishBatch([message('b')], deadline())).rejects.toThrow(
      'The test publisher is closed.',
    );
    expect(channels).toHaveLength(1);
  });
});
