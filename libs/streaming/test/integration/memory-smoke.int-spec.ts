import { Injectable } from '@nestjs/common';
import { waitFor } from '@databus/testing';
import { Ctx, DatasetMessage, Offset, OnDatasetMessage, Payload } from '@databus/streaming';
import { dataset, startApp } from '../conformance/harness';

describe('memory transport smoke', () => {
  it('delivers a produced message to a decorated handler', async () => {
    const name = dataset('smoke');
    const seen: Array<{ payload: unknown; seq: number }> = [];
    @Injectable()
    class Handler {
      @OnDatasetMessage(name, { offset: Offset.BEGIN })
      on(@Payload() payload: unknown, @Ctx() msg: DatasetMessage) {
        seen.push({ payload, seq: msg.sequence });
      }
    }
    const app = await startApp({ name: 'memory', url: () => '' }, `memory://${name}`, {
      providers: [Handler],
    });
    try {
      await app.channel.produce(name, { hello: 'world' });
      await waitFor(() => seen.length === 1);
      expect(seen[0]).toEqual({ payload: { hello: 'world' }, seq: 1 });
    } finally {
      await app.close();
    }
  });
});
