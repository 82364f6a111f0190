import { ConsumerError } from '@databus/common';
import { SubscriptionClosedError } from '../errors';
import { RecordBuffer, RecordBufferHooks } from './record-buffer';
import { IncomingRecord } from './transport-record.interface';

const record = (sequence: number): IncomingRecord => ({
  dataset: 'ds',
  headers: {},
  data: Buffer.alloc(0),
  sequence,
  timestamp: new Date(0),
  redelivered: false,
});
const sequences = (records: IncomingRecord[]): number[] => records.map((r) => r.sequence);

/** A buffer with a prefetch bound: handed-out records count until `ack`. */
function bounded(prefetch: number) {
  let outstanding = 0;
  const buffer = new RecordBuffer<IncomingRecord>({
    handOut: (r) => {
      outstanding++;
      return r;
    },
    room: () => prefetch - outstanding,
  });
  const ack = (n: number): void => {
    outstanding -= n;
    buffer.wake();
  };
  return { buffer, ack };
}

describe('RecordBuffer', () => {
  afterEach(() => jest.useRealTimers());

  it('returns what is available at once, up to max, without waiting to fill the batch', async () => {
    const buffer = new RecordBuffer<IncomingRecord>({ handOut: (r) => r });
    buffer.push(record(1));
    buffer.push(record(2));
    expect(sequences(await buffer.fetch(5, 60_000))).toEqual([1, 2]);
    for (let i = 3; i <= 9; i++) buffer.push(record(i));
    expect(sequences(await buffer.fetch(5, 60_000))).toEqual([3, 4, 5, 6, 7]);
    expect(buffer.length).toBe(2);
  });

  it('waits while nothing is available, and returns with the first delivery', async () => {
    const buffer = new RecordBuffer<IncomingRecord>({ handOut: (r) => r });
    const waiting = buffer.fetch(5, 60_000);
    buffer.push(record(1));
    expect(sequences(await waiting)).toEqual([1]);
  });

  it('returns empty after maxWaitMs when nothing came', async () => {
    jest.useFakeTimers();
    const buffer = new RecordBuffer<IncomingRecord>({ handOut: (r) => r });
    let result: IncomingRecord[] | undefined;
    void buffer.fetch(5, 1000).then((r) => (result = r));
    await jest.advanceTimersByTimeAsync(999);
    expect(result).toBeUndefined();
    await jest.advanceTimersByTimeAsync(1);
    expect(result).toEqual([]);
  });

  it('returns empty at once for maxWaitMs 0 or an aborted signal, and when the signal aborts', async () => {
    const buffer = new RecordBuffer<IncomingRecord>({ handOut: (r) => r });
    expect(await buffer.fetch(5, 0)).toEqual([]);
    expect(await buffer.fetch(5, 60_000, AbortSignal.abort())).toEqual([]);
    const abort = new AbortController();
    const waiting = buffer.fetch(5, 60_000, abort.signal);
    abort.abort();
    expect(await waiting).toEqual([]);
  });

  it('never hands out more than the room allows, and a waiting fetch gets records once room is made', async () => {
    const { buffer, ack } = bounded(3);
    for (let i = 0; i < 6; i++) buffer.push(record(i));
    expect(sequences(await buffer.fetch(5, 0))).toEqual([0, 1, 2]);
    expect(await buffer.fetch(5, 0)).toEqual([]);
    const waiting = buffer.fetch(5, 60_000);
    ack(2);
    expect(sequences(await waiting)).toEqual([3, 4]);
  });

  it('keeps waiting when woken for room that gives it nothing', async () => {
    const { buffer, ack } = bounded(1);
    buffer.push(record(0));
    await buffer.fetch(1, 0);
    const waiting = buffer.fetch(1, 60_000);
    ack(1); // room, but nothing buffered: the fetch goes on waiting
    let settled = false;
    void waiting.then(() => (settled = true));
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    buffer.push(record(1));
    expect(sequences(await waiting)).toEqual([1]);
  });

  it('pulls from a store outside the buffer, within the room', async () => {
    const store = [10, 11, 12, 13].map(record);
    const hooks: RecordBufferHooks<IncomingRecord> = {
      handOut: (r) => r,
      room: () => 3,
      pull: (max) => store.splice(0, max),
      canPull: () => store.length > 0,
    };
    const buffer = new RecordBuffer(hooks);
    buffer.push(record(9));
    expect(sequences(await buffer.fetch(10, 0))).toEqual([9, 10, 11]);
    expect(sequences(await buffer.fetch(10, 0))).toEqual([12, 13]);
    const waiting = buffer.fetch(10, 60_000);
    store.push(record(14));
    buffer.wake();
    expect(sequences(await waiting)).toEqual([14]);
  });

  it('hands out buffered records before reporting a failure kept with keepBuffered', async () => {
    const buffer = new RecordBuffer<IncomingRecord>({ handOut: (r) => r });
    buffer.push(record(1));
    const lost = new ConsumerError('consumer deleted');
    buffer.fail(lost, { keepBuffered: true });
    expect(sequences(await buffer.fetch(5, 0))).toEqual([1]);
    await expect(buffer.fetch(5, 0)).rejects.toBe(lost);
    expect(buffer.failure).toBe(lost);
  });

  it('reports a failure at once by default, drops the buffer and ignores later deliveries', async () => {
    const buffer = new RecordBuffer<IncomingRecord>({ handOut: (r) => r });
    const waiting = buffer.fetch(5, 60_000);
    const lost = new ConsumerError('channel closed');
    buffer.push(record(1));
    await waiting;
    buffer.push(record(2));
    buffer.fail(lost);
    buffer.push(record(3));
    await expect(buffer.fetch(5, 0)).rejects.toThrow(new ConsumerError('channel closed'));
    const pending = new RecordBuffer<IncomingRecord>({ handOut: (r) => r });
    const wait = pending.fetch(5, 60_000);
    pending.fail(lost);
    await expect(wait).rejects.toBe(lost);
  });

  it('clear keeps a failure, restart forgets it', async () => {
    const buffer = new RecordBuffer<IncomingRecord>({ handOut: (r) => r });
    buffer.fail(new ConsumerError('crashed'));
    buffer.clear();
    await expect(buffer.fetch(1, 0)).rejects.toThrow(new ConsumerError('crashed'));
    buffer.restart();
    buffer.push(record(1));
    expect(sequences(await buffer.fetch(1, 0))).toEqual([1]);
  });

  it('close ends a waiting fetch empty, and a fetch after close fails naming the operation', async () => {
    const buffer = new RecordBuffer<IncomingRecord>({ handOut: (r) => r });
    const waiting = buffer.fetch(5, 60_000);
    buffer.close();
    expect(await waiting).toEqual([]);
    buffer.push(record(1));
    expect(buffer.length).toBe(0);
    await expect(buffer.fetch(1, 0)).rejects.toThrow(new SubscriptionClosedError('fetch'));
  });

  it('removes selected items and drains the rest, in order', () => {
    const buffer = new RecordBuffer<IncomingRecord>({ handOut: (r) => r });
    for (let i = 0; i < 6; i++) buffer.push(record(i));
    buffer.take(1);
    buffer.removeWhere((r) => r.sequence % 2 === 0);
    expect(sequences(buffer.drain())).toEqual([1, 3, 5]);
    expect(buffer.length).toBe(0);
  });

  it('calls afterTake once per take that handed out records', () => {
    const afterTake = jest.fn();
    const buffer = new RecordBuffer<IncomingRecord>({ handOut: (r) => r, afterTake });
    buffer.take(5);
    expect(afterTake).not.toHaveBeenCalled();
    buffer.push(record(1));
    buffer.push(record(2));
    buffer.take(5);
    expect(afterTake).toHaveBeenCalledTimes(1);
  });
});
