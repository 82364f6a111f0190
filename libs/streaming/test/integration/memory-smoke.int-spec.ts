import { Injectable, LoggerService } from '@nestjs/common';

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

describe('memory transport: where a subscription starts, in the log', () => {
  /** A LoggerService that keeps the debug lines. */
  function debugLines(): { lines: string[]; logger: LoggerService } {
    const lines: string[] = [];
    const keep = (message: unknown) => lines.push(String(message));
    return {
      lines,
      logger: { log: () => {}, warn: () => {}, error: () => {}, debug: keep, verbose: () => {} },
    };
  }

  it('says "resuming group "x" at sequence N" when a durable group resumes, and "from begin" when private', async () => {
    const name = dataset('resume-log');
    const { lines, logger } = debugLines();
    const app = await startApp({ name: 'memory', url: () => '' }, `memory://${name}`, {
      options: { logger },
    });
    try {
      for (let i = 1; i <= 6; i++) await app.channel.produce(name, { i });
      const first = await app.channel.subscribe(name, {
        group: 'sensor-hub',
        offset: Offset.BEGIN,
        batch: 3,
      });
      const read: number[] = [];
      for await (const message of first) {
        read.push(message.json<{ i: number }>().i);
        if (read.length === 3) break;
      }
      await first.close();
      // Leaving the loop during message 3 acknowledges 1 and 2 only: the group resumes at 3.
      expect(read).toEqual([1, 2, 3]);

      const again = await app.channel.subscribe(name, { group: 'sensor-hub', offset: Offset.BEGIN });
      await again.close();
      const priv = await app.channel.subscribe(name, { offset: Offset.BEGIN });
      await priv.close();
      expect(lines).toEqual([
        `Subscribed to "${name}" as group "sensor-hub" (from its committed position; begin if the group is new)`,
        `Subscribed to "${name}": resuming group "sensor-hub" at sequence 3`,
        `Subscribed to "${name}" from begin`,
      ]);
    } finally {
      await app.close();
    }
  });
});
