import { collectGarbage } from '@databus/testing';
import { ConsumerError, PermanentError, resolveBackoff } from '@databus/common';
import { Offset } from '../offset/offset';
import { IncomingRecord } from '../transport/transport-record.interface';
import { StreamingTransport, TransportSubscription } from '../transport/transport.interface';
import { RecordSource } from './record-source';

const quiet = { log: jest.fn(), warn: jest.fn(), error: jest.fn(), debug: jest.fn() };
const rec = (sequence: number): IncomingRecord => ({
  dataset: 'd',
  headers: {},
  data: Buffer.alloc(0),
  sequence,
  timestamp: new Date(),
  redelivered: false,
});

function fakeTransport(
  script: Array<() => Promise<IncomingRecord[]>>,
  ackMode: 'individual' | 'position' = 'position',
) {
  const acked: number[][] = [];
  let subscriptions = 0;
  const transport = {
    name: 'memory',
    capabilities: { ackMode, seek: true },
    subscribe: jest.fn(async (): Promise<TransportSubscription> => {
      subscriptions++;
      return {
        fetch: async () => (script.shift() ?? (async () => []))(),
        ack: async (records) => void acked.push(records.map((r) => r.sequence)),
        nack: async () => undefined,
        seek: async () => undefined,
        close: async () => undefined,
      };
    }),
  } as unknown as StreamingTransport;
  return { transport, acked, subscriptions: () => subscriptions };
}

const spec = { dataset: 'd', group: 'g', start: Offset.LATEST, prefetch: 10, groupExpiryMs: 1000 };
const options = (retryOnFail = true) => ({
  retryOnFail,
  reconnect: resolveBackoff({ initialMs: 1, maxMs: 2 }, 'r'),
  logger: quiet,
});

describe('RecordSource', () => {
  it('acknowledges only the contiguous finished prefix on position transports', async () => {
    const [r1, r2, r3] = [rec(1), rec(2), rec(3)];
    const { transport, acked } = fakeTransport([async () => [r1, r2, r3]]);
    const source = new RecordSource(transport, spec, options());
    await source.open();
    await source.fetch(3, 0);
    source.complete(r3);
    source.complete(r1);
    await source.flush();
    expect(acked.flat()).toEqual([1]);
    source.complete(r2);
    await source.flush();
    expect(acked.flat()).toEqual([1, 2, 3]);
    expect(source.inFlight).toBe(0);
  });

  it('re-subscribes after a ConsumerError and never acknowledges records of the lost subscription', async () => {
    const old = rec(1);
    const { transport, acked, subscriptions } = fakeTransport([
      async () => [old],
      async () => {
        throw new ConsumerError('connection lost');
      },
      async () => [rec(1)],
    ]);
    const source = new RecordSource(transport, spec, options());
    await source.open();
    await source.fetch(1, 0);
    const again = await source.fetch(1, 0);
    expect(subscriptions()).toBe(2);
    source.complete(old);
    source.complete(again[0]);
    await source.flush();
    expect(acked).toEqual([[1]]);
    expect(acked[0][0]).toBe(again[0].sequence);
  });

  it('surfaces temporary errors when retryOnFail is off, and permanent errors always', async () => {
    const temporary = fakeTransport([
      async () => {
        throw new ConsumerError('lost');
      },
    ]);
    const a = new RecordSource(temporary.transport, spec, options(false));
    await a.open();
    await expect(a.fetch(1, 0)).rejects.toBeInstanceOf(ConsumerError);
    const permanent = fakeTransport([
      async () => {
        throw new PermanentError('denied');
      },
    ]);
    const b = new RecordSource(permanent.transport, spec, options(true));
    await b.open();
    await expect(b.fetch(1, 0)).rejects.toBeInstanceOf(PermanentError);
  });

  it('drops deliveries made before a seek', async () => {
    const before = rec(5);
    const { transport, acked } = fakeTransport([async () => [before]]);
    const source = new RecordSource(transport, spec, options());
    await source.open();
    await source.fetch(1, 0);
    await source.seek(Offset.BEGIN);
    source.complete(before);
    await source.flush();
    expect(acked).toEqual([]);
  });

  it('re-subscribes a lost private subscription at its oldest unfinished record', async () => {
    const { transport } = fakeTransport(
      [
        async () => [rec(1), rec(2), rec(3)],
        async () => {
          throw new ConsumerError('consumer deleted');
        },
      ],
      'individual',
    );
    (transport as { capabilities: object }).capabilities = {
      ackMode: 'individual',
      seekBySequence: true,
      seekByTime: true,
    };
    const privateSpec = { ...spec, group: undefined, start: Offset.BEGIN };
    const source = new RecordSource(transport, privateSpec, options());
    await source.open();
    const [r1, , r3] = await source.fetch(3, 0);
    source.complete(r1);
    source.complete(r3);
    await source.fetch(1, 0); // fails, re-subscribes
    const subscribe = transport.subscribe as jest.Mock;
    expect(subscribe).toHaveBeenCalledTimes(2);
    expect(subscribe.mock.calls[0][0]).toBe(privateSpec);
    expect(subscribe.mock.calls[1][0]).toEqual({ ...privateSpec, start: Offset.sequence(2) });
  });

  it('re-subscribes a lost group member with the spec as it is (the broker keeps the position)', async () => {
    const { transport } = fakeTransport([
      async () => [rec(1)],
      async () => {
        throw new ConsumerError('connection lost');
      },
    ]);
    const source = new RecordSource(transport, spec, options());
    await source.open();
    await source.fetch(1, 0);
    await source.fetch(1, 0);
    const subscribe = transport.subscribe as jest.Mock;
    expect(subscribe.mock.calls.map((c) => c[0])).toEqual([spec, spec]);
  });

  describe('acknowledgement calls', () => {
    /**
     * A transport whose acks stay pending until released, in the order they were made. `fresh` makes every
     * fetch answer new records (`records` then holds none of them); without it, every fetch answers `records`.
     */
    function slowAcks(pipelinedAcks: boolean, fresh?: () => IncomingRecord[]) {
      const records = [rec(1), rec(2), rec(3)];
      const calls: number[][] = [];
      const pending: Array<() => void> = [];
      const transport = {
        name: 'memory',
        capabilities: { ackMode: 'position', seek: true, pipelinedAcks },
        subscribe: async (): Promise<TransportSubscription> => ({
          fetch: async () => (fresh ? fresh() : records),
          ack: (acked) => {
            calls.push(acked.map((r) => r.sequence));
            return new Promise<void>((resolve) => pending.push(resolve));
          },
          nack: async () => undefined,
          seek: async () => undefined,
          close: async () => undefined,
        }),
      } as unknown as StreamingTransport;
      return { transport, records, calls, pending };
    }
    const ticks = () => new Promise((resolve) => setImmediate(resolve));

    it('one call at a time: records finished meanwhile leave together once the call in flight resolved', async () => {
      const { transport, records, calls, pending } = slowAcks(false);
      const source = new RecordSource(transport, spec, options());
      await source.open();
      await source.fetch(3, 0);
      source.complete(records[0]);
      await ticks();
      source.complete(records[1]);
      await ticks();
      source.complete(records[2]);
      await ticks();
      expect(calls).toEqual([[1]]);
      pending.shift()?.();
      await ticks();
      expect(calls).toEqual([[1], [2, 3]]);
      const flushed = source.flush();
      pending.shift()?.();
      await flushed;
    });

    it('pipelinedAcks: each tick goes out at once, and flush() waits for every call in flight', async () => {
      const { transport, records, calls, pending } = slowAcks(true);
      const source = new RecordSource(transport, spec, options());
      await source.open();
      await source.fetch(3, 0);
      source.complete(records[0]);
      await ticks();
      source.complete(records[1]);
      source.complete(records[2]);
      await ticks();
      expect(calls).toEqual([[1], [2, 3]]); // the second did not wait for the first
      let flushed = false;
      const flushing = source.flush().then(() => (flushed = true));
      pending.shift()?.();
      await ticks();
      expect(flushed).toBe(false); // [2, 3] is still in flight
      pending.shift()?.();
      await flushing;
      expect(flushed).toBe(true);
    });

    it('pipelinedAcks: a call in flight does not keep its records alive', async () => {
      // Like a transport committing a position: it keeps the sequence, not the records, until confirmed.
      const { transport, calls, pending } = slowAcks(true, () => [rec(1), rec(2), rec(3)]);
      const source = new RecordSource(transport, spec, options());
      await source.open();
      let records: IncomingRecord[] | undefined = await source.fetch(3, 0);
      const released = records.map((record) => new WeakRef(record));
      records.forEach((record) => source.complete(record)); // (a loop variable would stay in this frame)
      records = undefined;
      await ticks();
      expect(calls).toEqual([[1, 2, 3]]);
      expect(pending).toHaveLength(1); // still in flight
      await ticks(); // a WeakRef holds its target until the turn ends
      collectGarbage();
      expect(released.map((ref) => ref.deref())).toEqual([undefined, undefined, undefined]);
      const flushed = source.flush();
      pending.shift()?.();
      await flushed;
    });

    it.each([
      ['rejects', (error: Error) => Promise.reject(error)],
      [
        'throws',
        (error: Error) => {
          throw error;
        },
      ],
    ])('logs a call that %s with its count of records, and acknowledges the next ones', async (_, fail) => {
      const calls: number[][] = [];
      const transport = {
        name: 'memory',
        capabilities: { ackMode: 'position', seek: true, pipelinedAcks: true },
        subscribe: async (): Promise<TransportSubscription> => ({
          fetch: async () => [rec(1), rec(2), rec(3)],
          ack: (acked) => {
            calls.push(acked.map((r) => r.sequence));
            return calls.length === 1 ? fail(new Error('channel closed')) : Promise.resolve();
          },
          nack: async () => undefined,
          seek: async () => undefined,
          close: async () => undefined,
        }),
      } as unknown as StreamingTransport;
      const warn = jest.fn();
      const source = new RecordSource(transport, spec, { ...options(), logger: { ...quiet, warn } });
      await source.open();
      const [r1, r2, r3] = await source.fetch(3, 0);
      source.complete(r1);
      source.complete(r2);
      await source.flush();
      expect(warn).toHaveBeenCalledWith('Could not acknowledge 2 message(s) of "d": channel closed');
      source.complete(r3);
      await source.flush();
      expect(calls).toEqual([[1, 2], [3]]);
      expect(warn).toHaveBeenCalledTimes(1);
    });
  });
});
