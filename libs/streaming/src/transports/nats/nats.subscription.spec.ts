import { ConsumerError } from '@databus/common';
import type { JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { Offset } from '../../offset/offset';
import { NatsStreams } from './nats-streams';
import { resolveNatsOptions } from './nats.options';
import { NatsSubscription } from './nats.subscription';

/** A consume() iterator the test feeds by hand. */
class FakeMessages {
  private queue: JsMsg[] = [];
  private wake?: () => void;
  private done = false;
  push(msg: JsMsg): void {
    this.queue.push(msg);
    this.wake?.();
  }
  stop(): void {
    this.done = true;
    this.wake?.();
  }
  async *status(): AsyncGenerator<never> {}
  async *[Symbol.asyncIterator](): AsyncGenerator<JsMsg> {
    for (;;) {
      while (this.queue.length) yield this.queue.shift() as JsMsg;
      if (this.done) return;
      await new Promise<void>((r) => (this.wake = r));
    }
  }
}

const msg = (seq: number): JsMsg & { ack: jest.Mock; nak: jest.Mock } =>
  ({
    seq,
    data: Buffer.from(JSON.stringify({ seq })),
    headers: undefined,
    time: new Date(0),
    redelivered: false,
    ack: jest.fn(),
    nak: jest.fn(),
  }) as unknown as JsMsg & { ack: jest.Mock; nak: jest.Mock };

async function setup(group?: string) {
  // One feed per consume() call: a seek recreates the consumer and consumes again.
  const feeds: FakeMessages[] = [];
  const js = {
    consumers: {
      get: async () => ({
        consume: async () => {
          feeds.push(new FakeMessages());
          return feeds[feeds.length - 1];
        },
      }),
    },
  } as unknown as JetStreamClient;
  const streams = {
    deleteConsumer: jest.fn(async () => undefined),
    recreateConsumer: jest.fn(async () => 'c2'),
  } as unknown as NatsStreams;
  const onClose = jest.fn();
  const sub = new NatsSubscription(
    {
      js,
      streams,
      options: resolveNatsOptions({ pullExpiresMs: 2000 }),
      logger: { log: jest.fn(), warn: jest.fn(), error: jest.fn(), debug: jest.fn() },
      connected: () => true,
      onClose,
    },
    { dataset: 'ds', group, start: Offset.BEGIN, prefetch: 10, groupExpiryMs: 60_000 },
    { stream: 'S', subject: 'ds' },
    'c1',
  );
  await sub.start();
  return { sub, messages: feeds[0], feeds, streams, onClose };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('NatsSubscription', () => {
  it('flags a second delivery of a stream sequence it handed out, even when the server counts it as the first', async () => {
    // A consumer leader that fails over before the new leader has the delivered state sends those messages
    // again with delivery count 1 (nats-server, R3 consumer, the stream leader killed mid-run).
    const { sub, messages } = await setup('g');
    for (const seq of [1, 2, 3, 2, 3, 4]) messages.push(msg(seq));
    await tick();
    const records = await sub.fetch(10, 0);
    expect(records.map((r) => [r.sequence, r.redelivered])).toEqual([
      [1, false],
      [2, false],
      [3, false],
      [2, true],
      [3, true],
      [4, false],
    ]);
  });

  it("keeps the server's redelivered flag, and starts over after a seek (a new consumer)", async () => {
    const { sub, messages, feeds } = await setup('g');
    messages.push(msg(4));
    messages.push(Object.assign(msg(5), { redelivered: true }));
    await tick();
    expect((await sub.fetch(10, 0)).map((r) => [r.sequence, r.redelivered])).toEqual([
      [4, false],
      [5, true],
    ]);
    await sub.seek(Offset.BEGIN);
    feeds[1].push(msg(1));
    feeds[1].push(msg(4));
    await tick();
    expect((await sub.fetch(10, 0)).map((r) => [r.sequence, r.redelivered])).toEqual([
      [1, false],
      [4, false],
    ]);
  });

  it('returns what is buffered at once (up to max), and waits up to maxWaitMs only while nothing is', async () => {
    const { sub, messages } = await setup('g');
    messages.push(msg(1));
    messages.push(msg(2));
    await tick();
    expect((await sub.fetch(1, 0)).map((r) => r.sequence)).toEqual([1]);
    expect((await sub.fetch(3, 60_000)).map((r) => r.sequence)).toEqual([2]);
    const waiting = sub.fetch(3, 60_000);
    messages.push(msg(3));
    messages.push(msg(4));
    const woken = (await waiting).map((r) => r.sequence);
    expect(woken[0]).toBe(3);
    await tick();
    expect([...woken, ...(await sub.fetch(3, 0)).map((r) => r.sequence)]).toEqual([3, 4]);
    await sub.close();
  });

  it('coalesces acknowledgements into the next event-loop turn, and flushes them on close', async () => {
    const { sub, messages } = await setup('g');
    const [m1, m2, m3] = [msg(1), msg(2), msg(3)];
    [m1, m2, m3].forEach((m) => messages.push(m));
    await tick();
    const records = await sub.fetch(3, 0);
    await sub.ack([records[0]]);
    await sub.ack([records[1]]);
    expect(m1.ack).not.toHaveBeenCalled();
    await tick();
    expect(m1.ack).toHaveBeenCalledTimes(1);
    expect(m2.ack).toHaveBeenCalledTimes(1);
    await sub.ack([records[2]]);
    await sub.close(); // flushes the pending ack at once
    expect(m3.ack).toHaveBeenCalledTimes(1);
    expect(m3.nak).not.toHaveBeenCalled();
  });

  it('on close, gives unfinished and buffered messages back to the group after the pull lifetime', async () => {
    const { sub, messages, onClose } = await setup('g');
    const [m1, m2] = [msg(1), msg(2)];
    messages.push(m1);
    messages.push(m2);
    await tick();
    await sub.fetch(1, 0);
    await sub.close();
    expect(m1.nak).toHaveBeenCalledWith(2500);
    expect(m2.nak).toHaveBeenCalledWith(2500);
    expect(onClose).toHaveBeenCalledWith(sub);
  });

  it('a private subscription deletes its consumer on close; acks on a closed connection do not throw', async () => {
    const { sub, messages, streams } = await setup();
    const m = msg(1);
    m.ack.mockImplementation(() => {
      throw new Error('closed');
    });
    messages.push(m);
    await tick();
    await sub.ack(await sub.fetch(1, 0));
    await tick();
    expect(m.ack).toHaveBeenCalled();
    await sub.close();
    expect(streams.deleteConsumer).toHaveBeenCalledWith({ stream: 'S', subject: 'ds' }, 'c1');
  });

  it('rejects fetch with ConsumerError when the consumer stops by itself', async () => {
    const { sub, messages } = await setup('g');
    messages.stop();
    await tick();
    await expect(sub.fetch(1, 100)).rejects.toBeInstanceOf(ConsumerError);
    await sub.close();
  });
});
