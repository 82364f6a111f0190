import { MemoryStreaming, Offset, SubscriptionClosedError } from '@databus/streaming';
import type { ConsumerGroupChannel, Subscription } from '@databus/streaming';
import { dataset, startApp } from '../conformance/harness';

const MEMORY = { name: 'memory', url: () => '' };

describe('memory transport: `await using` (Symbol.asyncDispose) on subscriptions and channels', () => {
  afterEach(() => MemoryStreaming.reset());

  it('a subscription declared with `await using` is closed when the block is left', async () => {
    const name = dataset('dispose-sub');
    const app = await startApp(MEMORY, `memory://${name}`);
    try {
      await app.channel.produce(name, { n: 1 });
      let kept: Subscription | undefined;
      {
        await using sub = await app.channel.subscribe(name, { offset: Offset.BEGIN });
        kept = sub;
        for await (const message of sub) {
          expect(message.sequence).toBe(1);
          break;
        }
        expect(sub.closed).toBe(false);
      }
      expect(kept.closed).toBe(true);
    } finally {
      await app.close();
    }
  });

  it('a subscription is closed even when the block throws', async () => {
    const name = dataset('dispose-throw');
    const app = await startApp(MEMORY, `memory://${name}`);
    let kept: Subscription | undefined;
    try {
      const run = async (): Promise<void> => {
        await using sub = await app.channel.subscribe(name, { offset: Offset.BEGIN });
        kept = sub;
        throw new Error('handler failed');
      };
      await expect(run()).rejects.toThrow(new Error('handler failed'));
      expect(kept?.closed).toBe(true);
    } finally {
      await app.close();
    }
  });

  it('a consumer-group channel declared with `await using` is destroyed when the block is left', async () => {
    const name = dataset('dispose-channel');
    const app = await startApp(MEMORY, `memory://${name}`);
    try {
      let kept: ConsumerGroupChannel | undefined;
      {
        await using channel = app.channel.open({ group: 'g-dispose', datasets: [name], maxWaitMs: 50 });
        kept = channel;
        await channel.subscribe(name);
      }
      const error = await kept.consume().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SubscriptionClosedError);
      expect((error as Error).message).toBe('Cannot consume: the channel (destroyed) is closed.');
    } finally {
      await app.close();
    }
  });
});
