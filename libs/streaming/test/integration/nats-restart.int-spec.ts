import { describeWithBroker, waitFor } from '@databus/testing';
import { Offset, TransportStatus } from '@databus/streaming';
import { STREAMING_CONNECTION } from '../../src/streaming.constants';
import { StreamingConnection } from '../../src/connection/streaming-connection';
import { dataset, startApp } from '../conformance/harness';
import { Recorded, recordingHandler } from '../conformance/helpers';
import { deleteTestStreams, natsUrl, restartNatsServer, testStreamPrefix } from './nats-test-kit';

const streamPrefix = testStreamPrefix();
const target = { name: 'nats', url: natsUrl, options: { transportOptions: { streamPrefix } } };

describeWithBroker('nats', 'nats-server restart mid-stream', () => {
  afterAll(() => deleteTestStreams(streamPrefix));

  it('loses nothing: every produced sequence is consumed at least once, with no gaps', async () => {
    const ds = dataset('restart');
    const seen: Recorded[] = [];
    const app = await startApp(target, natsUrl(), {
      options: { produceTimeoutMs: 60_000 },
      providers: [recordingHandler(ds, { group: dataset('g'), batch: 20, offset: Offset.LATEST }, seen)],
    });
    const statuses: TransportStatus['type'][] = [];
    app.module
      .get<StreamingConnection>(STREAMING_CONNECTION)
      .transport.onStatus((s) => statuses.push(s.type));
    try {
      await new Promise((r) => setTimeout(r, 300));
      // Produce steadily until well after the restart, so that produces overlap the outage.
      const produced: number[] = [];
      let restarted = false;
      let producerRunningAtDisconnect = false;
      app.module.get<StreamingConnection>(STREAMING_CONNECTION).transport.onStatus((s) => {
        if (s.type === 'disconnected' && !restarted) producerRunningAtDisconnect = true;
      });
      const producing = (async () => {
        for (let i = 0; !restarted || produced.length < 300 || i < 600; i++) {
          // No retry here: produce itself waits out the outage (within produceTimeoutMs).
          const { sequence } = await app.channel.produce(ds, { i });
          produced.push(sequence as number);
          if (i % 10 === 0) await new Promise((r) => setTimeout(r, 10));
        }
      })();
      await waitFor(() => seen.length >= 100, { message: 'the first messages', timeoutMs: 20_000 });
      await restartNatsServer();
      const atRestart = produced.length;
      restarted = true;
      await producing;
      const total = produced.length;
      expect(producerRunningAtDisconnect).toBe(true);
      expect(total).toBeGreaterThan(atRestart);
      await waitFor(() => new Set(seen.map((r) => r.message.sequence)).size >= total, {
        message: 'every sequence after the restart',
        timeoutMs: 60_000,
      });

      const sequences = [...new Set(seen.map((r) => r.message.sequence))].sort((a, b) => a - b);
      expect(sequences).toEqual([...produced].sort((a, b) => a - b));
      expect(sequences[sequences.length - 1] - sequences[0] + 1).toBe(total); // no gaps
      const payloads = [...new Set(seen.map((r) => r.payload.i))].sort((a, b) => a - b);
      expect(payloads).toEqual(Array.from({ length: total }, (_, k) => k));
      expect(statuses).toEqual(expect.arrayContaining(['disconnected', 'connected']));
    } finally {
      await app.close();
    }
  }, 120_000);
});
