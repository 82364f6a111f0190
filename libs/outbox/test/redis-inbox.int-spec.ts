import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { TemporaryError } from '@databus/common';
import { RedisIdempotencyStore } from '@databus/outbox';
import { waitFor } from '@databus/testing';

describe('RedisIdempotencyStore on the loopback Redis', () => {
  const redis = new Redis('redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
  const prefix = `databus:test:${randomUUID().slice(0, 8)}:`;
  const store = new RedisIdempotencyStore(redis, prefix, 60_000, 60_000);
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it('runs the handler once per message id and reports the redelivery a duplicate', async () => {
    let runs = 0;
    const delivery = { consumer: 'Mailer.send', messageId: 'm1' };
    expect(await store.run(delivery, async () => ++runs)).toEqual({ duplicate: false, result: 1 });
    expect(await store.run(delivery, async () => ++runs)).toEqual({ duplicate: true });
    expect(runs).toBe(1);
    expect(await redis.pttl(`${prefix}Mailer.send:m1`)).toBeGreaterThan(0);
  });

  it('releases the claim of a failing handler so the retry runs it', async () => {
    const delivery = { consumer: 'Mailer.send', messageId: 'm2' };
    await expect(store.run(delivery, async () => Promise.reject(new Error('smtp down')))).rejects.toThrow(
      'smtp down',
    );
    expect(await store.run(delivery, async () => 'sent')).toEqual({ duplicate: false, result: 'sent' });
  });

  it('answers a TemporaryError for a message another delivery is processing', async () => {
    const delivery = { consumer: 'Mailer.send', messageId: 'm3' };
    let release!: () => void;
    const first = store.run(delivery, () => new Promise<void>((r) => (release = r)));
    await waitFor(async () => (await redis.get(`${prefix}Mailer.send:m3`)) === 'running', {
      message: 'the first claim',
    });
    await expect(store.run(delivery, async () => 'second')).rejects.toBeInstanceOf(TemporaryError);
    release();
    await first;
  });
});
