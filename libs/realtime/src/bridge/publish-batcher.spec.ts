import { PermanentError, TemporaryError } from '@databus/common';
import type { BatchRequest } from '../api/methods';
import { ApiResponseError, NetworkError } from '../errors';
import { BatchingClient, PublishBatcher } from './publish-batcher';

type Reply = { result: { offset: number; epoch: string } } | { error: { code: number; message: string } };

function stubClient(answer: (request: BatchRequest) => Reply[] | Promise<Reply[]>) {
  const calls: BatchRequest[] = [];
  const client = {
    endpoint: 'http://c/api',
    batch: jest.fn(async (request: BatchRequest) => {
      calls.push(request);
      return { replies: await answer(request) };
    }),
  } as unknown as BatchingClient;
  return { client, calls };
}

const ok = (request: BatchRequest): Reply[] =>
  request.commands.map((_, i) => ({ result: { offset: i + 1, epoch: 'e' } }));

describe('PublishBatcher', () => {
  it('sends the publishes of one tick as one batch and settles each with its own result', async () => {
    const { client, calls } = stubClient(ok);
    const batcher = new PublishBatcher(client, 100, true);
    const results = await Promise.all(
      ['a', 'b', 'c'].map((ch) => batcher.publish({ channel: `sensors:${ch}`, data: { ch } })),
    );
    expect(calls).toHaveLength(1);
    expect(calls[0]).toEqual({
      commands: [
        { method: 'publish', request: { channel: 'sensors:a', data: { ch: 'a' } } },
        { method: 'publish', request: { channel: 'sensors:b', data: { ch: 'b' } } },
        { method: 'publish', request: { channel: 'sensors:c', data: { ch: 'c' } } },
      ],
      parallel: true,
    });
    expect(results.map((r) => r.offset)).toEqual([1, 2, 3]);
  });

  it('splits at maxBatchSize', async () => {
    const { client, calls } = stubClient(ok);
    const batcher = new PublishBatcher(client, 2);
    await Promise.all([1, 2, 3, 4, 5].map((n) => batcher.publish({ channel: `c${n}`, data: n })));
    expect(calls.map((c) => c.commands.length)).toEqual([2, 2, 1]);
  });

  it('rejects only the failed item: permanent codes as ApiResponseError, transient ones as TemporaryError', async () => {
    const { client } = stubClient(() => [
      { result: { offset: 1, epoch: 'e' } },
      { error: { code: 102, message: 'unknown channel' } },
      { error: { code: 100, message: 'internal server error' } },
      { error: { code: 111, message: 'too many requests' } },
    ]);
    const batcher = new PublishBatcher(client, 10);
    const settled = await Promise.allSettled(
      ['a', 'x:1', 'b', 'c'].map((channel) => batcher.publish({ channel })),
    );
    expect(settled[0]).toEqual({ status: 'fulfilled', value: { offset: 1, epoch: 'e' } });
    const reasons = settled.slice(1).map((s) => (s as PromiseRejectedResult).reason);
    expect(reasons[0]).toBeInstanceOf(ApiResponseError);
    expect(reasons[0]).toBeInstanceOf(PermanentError);
    expect(reasons[0]).toMatchObject({ code: 102, apiMessage: 'unknown channel' });
    for (const reason of reasons.slice(1)) {
      expect(reason).toBeInstanceOf(TemporaryError);
      expect(reason.cause).toBeInstanceOf(ApiResponseError);
    }
  });

  it('rejects every item of a batch whose call failed', async () => {
    const failure = new NetworkError('batch', 'http://c/api', { code: 'ECONNREFUSED' });
    const { client } = stubClient(() => Promise.reject(failure));
    const batcher = new PublishBatcher(client, 10);
    const settled = await Promise.allSettled([
      batcher.publish({ channel: 'a' }),
      batcher.publish({ channel: 'b' }),
    ]);
    expect(settled).toEqual([
      { status: 'rejected', reason: failure },
      { status: 'rejected', reason: failure },
    ]);
  });

  it('drain sends what is queued at once and waits for batches in flight', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { client, calls } = stubClient(async (request) => {
      await gate;
      return ok(request);
    });
    const batcher = new PublishBatcher(client, 10);
    const published = batcher.publish({ channel: 'a' });
    const drained = batcher.drain();
    expect(calls).toHaveLength(1);
    let done = false;
    void drained.then(() => (done = true));
    await new Promise((r) => setImmediate(r));
    expect(done).toBe(false);
    release();
    await drained;
    await expect(published).resolves.toEqual({ offset: 1, epoch: 'e' });
  });
});
