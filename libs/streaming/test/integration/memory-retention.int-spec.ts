import { ConfigurationError, RequestTimeoutError } from '@databus/common';
import { waitFor } from '@databus/testing';
import { DatasetMessage, MemoryStreaming, Offset, StreamingModuleOptions } from '@databus/streaming';
import { dataset, startApp, TestApp } from '../conformance/harness';

const MEMORY = { name: 'memory', url: () => '' };

/** An app on its own memory broker (named after the dataset), with a hand-driven clock. */
async function memoryApp(
  name: string,
  options: Partial<StreamingModuleOptions> = {},
): Promise<{ app: TestApp; clock: { now: number } }> {
  const clock = { now: 1_000_000 };
  MemoryStreaming.useClock(name, () => clock.now);
  const app = await startApp(MEMORY, `memory://${name}`, { options });
  return { app, clock };
}

const sequences = (name: string): number[] => MemoryStreaming.messages(name, name).map((m) => m.sequence);

/** Reads `count` messages of a fresh subscription, then leaves the loop (message `count` stays uncommitted). */
async function read(app: TestApp, name: string, count: number, group?: string): Promise<number[]> {
  const sub = await app.channel.subscribe(name, { group, offset: Offset.BEGIN });
  const out: number[] = [];
  for await (const message of sub) {
    out.push(message.sequence);
    if (out.length === count) break;
  }
  await sub.close();
  return out;
}

describe('memory transport: retention, group expiry and the clock hook', () => {
  afterEach(() => MemoryStreaming.reset());

  it('useClock stamps messages with the replaced clock', async () => {
    const name = dataset('clock');
    const { app, clock } = await memoryApp(name);
    try {
      await app.channel.produce(name, { n: 1 });
      clock.now += 5_000;
      await app.channel.produce(name, { n: 2 });
      expect(MemoryStreaming.messages(name, name).map((m) => m.timestamp.getTime())).toEqual([
        1_000_000, 1_005_000,
      ]);
    } finally {
      await app.close();
    }
  });

  it('retention.maxMessages keeps only the newest N messages, and readers start at the oldest kept', async () => {
    const name = dataset('max-messages');
    const { app } = await memoryApp(name, { transportOptions: { retention: { maxMessages: 3 } } });
    try {
      for (let n = 1; n <= 5; n++) await app.channel.produce(name, { n });
      expect(sequences(name)).toEqual([3, 4, 5]);
      expect(await read(app, name, 3)).toEqual([3, 4, 5]);
    } finally {
      await app.close();
    }
  });

  it('retention.maxAgeMs drops messages older than the limit as the clock moves on', async () => {
    const name = dataset('max-age');
    const { app, clock } = await memoryApp(name, { transportOptions: { retention: { maxAgeMs: 1_000 } } });
    try {
      await app.channel.produce(name, { n: 1 });
      clock.now += 600;
      await app.channel.produce(name, { n: 2 });
      expect(sequences(name)).toEqual([1, 2]);
      clock.now += 500; // message 1 is now 1 100 ms old, message 2 500 ms
      expect(sequences(name)).toEqual([2]);
      expect(await read(app, name, 1)).toEqual([2]);
      clock.now += 600;
      expect(sequences(name)).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it('a durable group unused for longer than groupExpiryMs is forgotten; a younger one resumes', async () => {
    const name = dataset('group-expiry');
    const { app, clock } = await memoryApp(name, { groupExpiryMs: 1_000 });
    try {
      for (let n = 1; n <= 4; n++) await app.channel.produce(name, { n });
      // Leaving during message 2 commits message 1: the group resumes at 2.
      expect(await read(app, name, 2, 'g')).toEqual([1, 2]);
      clock.now += 900;
      expect(await read(app, name, 1, 'g')).toEqual([2]);
      clock.now += 1_001;
      // Expired: the group is new again and starts where the subscription asks (begin).
      expect(await read(app, name, 1, 'g')).toEqual([1]);
    } finally {
      await app.close();
    }
  });
});

describe('Subscription.wait (callback mode, memory transport)', () => {
  afterEach(() => MemoryStreaming.reset());

  it('wait({ messages: N }) resolves with N once the callback has handled N messages', async () => {
    const name = dataset('wait-n');
    const app = await startApp(MEMORY, `memory://${name}`);
    try {
      const seen: number[] = [];
      const sub = await app.channel.subscribe(name, {
        offset: Offset.BEGIN,
        callback: (message: DatasetMessage) => {
          seen.push(message.json<{ n: number }>().n);
        },
      });
      const waiting = sub.wait({ messages: 3 });
      for (let n = 1; n <= 5; n++) await app.channel.produce(name, { n });
      const handled = await waiting;
      expect(handled).toBe(3);
      expect(seen.slice(0, 3)).toEqual([1, 2, 3]);
      // Already reached: resolves at once with the count so far.
      await waitFor(() => sub.handledCount === 5);
      await expect(sub.wait({ messages: 2 })).resolves.toBe(5);
      await sub.close();
    } finally {
      await app.close();
    }
  });

  it('wait() without messages resolves with the handled count when the subscription closes', async () => {
    const name = dataset('wait-close');
    const app = await startApp(MEMORY, `memory://${name}`);
    try {
      await app.channel.produce(name, { n: 1 });
      await app.channel.produce(name, { n: 2 });
      const sub = await app.channel.subscribe(name, { offset: Offset.BEGIN, callback: () => undefined });
      await waitFor(() => sub.handledCount === 2);
      const waiting = sub.wait();
      await sub.close();
      await expect(waiting).resolves.toBe(2);
      // After close, wait resolves at once, even when more messages were asked for.
      await expect(sub.wait({ messages: 10 })).resolves.toBe(2);
    } finally {
      await app.close();
    }
  });

  it('wait({ timeoutMs }) rejects with RequestTimeoutError naming the dataset when too few messages come', async () => {
    const name = dataset('wait-timeout');
    const app = await startApp(MEMORY, `memory://${name}`);
    try {
      await app.channel.produce(name, { n: 1 });
      const sub = await app.channel.subscribe(name, { offset: Offset.BEGIN, callback: () => undefined });
      const error = await sub.wait({ messages: 2, timeoutMs: 50 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RequestTimeoutError);
      expect((error as RequestTimeoutError).message).toBe(
        `wait() on "${name}": 1 of 2 messages handled within 50 ms.`,
      );
      expect((error as RequestTimeoutError).timeoutMs).toBe(50);
      await sub.close();
    } finally {
      await app.close();
    }
  });

  it('wait on an iterator subscription (no callback) rejects with ConfigurationError naming callback', async () => {
    const name = dataset('wait-iter');
    const app = await startApp(MEMORY, `memory://${name}`);
    try {
      const sub = await app.channel.subscribe(name, { offset: Offset.BEGIN });
      const error = await sub.wait({ messages: 1 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigurationError);
      expect((error as Error).message).toBe(
        'Invalid option "callback": expected a function given to subscribe() to use wait() (an iterator subscription is read with for await), received none.',
      );
      await sub.close();
    } finally {
      await app.close();
    }
  });
});
