import { EventEmitter } from 'node:events';
import type { ChannelModel } from 'amqplib';
import { TemporaryError } from '@databus/common';
import type { OutgoingMessage } from '../queue-backend.interface';
import { ConfirmPublisher } from './confirm-publisher';
import type { ConnectionSupervisor } from './connection-supervisor';

type Confirm = (error?: Error | null) => void;

/** A confirm channel that records each publish and lets the test confirm or nack it. */
class FakeConfirmChannel extends EventEmitter {
  readonly published: Array<{ routingKey: string; body: string; confirm: Confirm }> = [];
  publish(_exchange: string, routingKey: string, body: Buffer, _options: unknown, confirm: Confirm): boolean {
    this.published.push({ routingKey, body: body.toString(), confirm });
    return true;
  }
  close = jest.fn(async () => undefined);
}

function setup() {
  const channels: FakeConfirmChannel[] = [];
  const model = {
    createConfirmChannel: async () => {
      const channel = new FakeConfirmChannel();
      channels.push(channel);
      return channel;
    },
  } as unknown as ChannelModel;
  const supervisor = { whenConnected: async () => model } as unknown as ConnectionSupervisor;
  return { channels, publisher: new ConfirmPublisher(supervisor, 'amqp://test') };
}

const message = (body: string): OutgoingMessage => ({ body: Buffer.from(body), properties: {} });
const settled = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('ConfirmPublisher', () => {
  it('sends the publishes of one tick together and resolves each only on its own confirm', async () => {
    const { channels, publisher } = setup();
    const deadline = Date.now() + 10_000;
    const outcomes: string[] = [];
    const first = publisher.publish('', 'q', message('a'), deadline).then(() => outcomes.push('a'));
    const second = publisher.publish('', 'q', message('b'), deadline).then(() => outcomes.push('b'));
    await settled();
    expect(channels).toHaveLength(1);
    expect(channels[0].published.map((p) => p.body)).toEqual(['a', 'b']);
    channels[0].published[0].confirm(null);
    await settled();
    expect(outcomes).toEqual([]); // the batch waits for every confirm
    channels[0].published[1].confirm(null);
    await Promise.all([first, second]);
    expect(outcomes).toEqual(['a', 'b']);
  });

  it('publishes again only the messages the broker nacked, then resolves', async () => {
    const { channels, publisher } = setup();
    const done = Promise.all(
      ['a', 'b', 'c'].map((body) => publisher.publish('', 'q', message(body), Date.now() + 10_000)),
    );
    await settled();
    const [a, b, c] = channels[0].published;
    a.confirm(null);
    b.confirm(new Error('message nacked'));
    c.confirm(null);
    // the retry follows the publish pause (25 ms): wait for it, bounded
    for (let i = 0; i < 200 && channels[0].published.length < 4; i++)
      await new Promise((resolve) => setTimeout(resolve, 5));
    expect(channels[0].published.map((p) => p.body)).toEqual(['a', 'b', 'c', 'b']);
    channels[0].published[3].confirm(null);
    await expect(done).resolves.toHaveLength(3);
  });

  it('fails every publish of a batch not confirmed before the deadline with a TemporaryError', async () => {
    const { channels, publisher } = setup();
    const deadline = Date.now() + 30;
    const outcomes = Promise.allSettled([
      publisher.publish('', 'q', message('a'), deadline),
      publisher.publish('', 'q', message('b'), deadline),
    ]);
    await settled();
    expect(channels[0].published).toHaveLength(2);
    const results = await outcomes;
    for (const result of results) {
      expect(result.status).toBe('rejected');
      expect((result as PromiseRejectedResult).reason).toBeInstanceOf(TemporaryError);
      expect(((result as PromiseRejectedResult).reason as Error).message).toMatch(
        /not confirmed before the deadline/,
      );
    }
  });

  it('keeps destinations apart: one batch per exchange and routing key', async () => {
    const { channels, publisher } = setup();
    const deadline = Date.now() + 10_000;
    const done = Promise.all([
      publisher.publish('', 'q1', message('a'), deadline),
      publisher.publish('', 'q2', message('b'), deadline),
      publisher.publish('', 'q1', message('c'), deadline),
    ]);
    await settled();
    expect(channels[0].published.map((p) => `${p.routingKey}:${p.body}`)).toEqual(['q1:a', 'q1:c', 'q2:b']);
    for (const p of channels[0].published) p.confirm(null);
    await expect(done).resolves.toHaveLength(3);
  });
});
