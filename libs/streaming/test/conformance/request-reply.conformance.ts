import { RemoteHandlerError, RequestTimeoutError } from '@databus/streaming';
import { ConformanceTarget, dataset, startApp } from './harness';
import { delay, Recorded, recordingHandler } from './helpers';

/** Request/response: a handler's return value is the reply; timeouts and remote failures are typed. */
export function requestReplyConformance(target: ConformanceTarget): void {
  describe('request/response', () => {
    it('returns the handler result as the reply, and fails typed on timeout or handler error', async () => {
      const ds = dataset('rpc');
      const seen: Recorded[] = [];
      const handler = recordingHandler(ds, { batch: 1, retry: { attempts: 1 } }, seen, (payload) => {
        if (payload.i < 0) throw new Error('negative input');
        return { doubled: payload.i * 2 };
      });
      const app = await startApp(target, target.url(), { providers: [handler] });
      try {
        if (!app.channel.capabilities.requestReply) return;
        await delay(200);
        const reply = await app.channel.request(
          ds,
          { i: 21 },
          { timeoutMs: target.deliveryTimeoutMs ?? 10_000 },
        );
        expect(reply.json()).toEqual({ doubled: 42 });
        const replies = await Promise.all(
          [1, 2, 3].map((i) =>
            app.channel.request(ds, { i }, { timeoutMs: target.deliveryTimeoutMs ?? 10_000 }),
          ),
        );
        expect(replies.map((r) => r.json())).toEqual([{ doubled: 2 }, { doubled: 4 }, { doubled: 6 }]);
        await expect(
          app.channel.request(ds, { i: -1 }, { timeoutMs: target.deliveryTimeoutMs ?? 10_000 }),
        ).rejects.toBeInstanceOf(RemoteHandlerError);
        const nobody = dataset('nobody');
        await expect(app.channel.request(nobody, { i: 1 }, { timeoutMs: 300 })).rejects.toBeInstanceOf(
          RequestTimeoutError,
        );
      } finally {
        await app.close();
      }
    });
  });
}
