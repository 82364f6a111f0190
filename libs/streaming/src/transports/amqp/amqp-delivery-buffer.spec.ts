import { IncomingRecord } from '../../transport/transport-record.interface';
import { AmqpDeliveryBuffer } from './amqp-delivery-buffer';

const record = (sequence: number): IncomingRecord => ({
  dataset: 'ds',
  headers: {},
  data: Buffer.alloc(0),
  sequence,
  timestamp: new Date(0),
  redelivered: false,
});

describe('AmqpDeliveryBuffer', () => {
  it('never hands out more than prefetch unacknowledged records', () => {
    const buffer = new AmqpDeliveryBuffer(3);
    for (let i = 0; i < 6; i++) buffer.push(record(i));
    expect(buffer.take(5).map((r) => r.sequence)).toEqual([0, 1, 2]);
    expect(buffer.take(5)).toEqual([]);
    buffer.acknowledged(1);
    expect(buffer.take(5).map((r) => r.sequence)).toEqual([3, 4]);
    buffer.clear();
    expect(buffer.take(5)).toEqual([]);
  });

  it('lets a fetch wait for enough records, for its time bound, or for an interruption', async () => {
    const buffer = new AmqpDeliveryBuffer(10);
    const waiting = buffer.waitFor(2, 5_000, () => false);
    buffer.push(record(0));
    buffer.push(record(1));
    await waiting;
    expect(buffer.take(2)).toHaveLength(2);

    const started = Date.now();
    await buffer.waitFor(1, 30, () => false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);

    let lost = false;
    const interrupted = buffer.waitFor(1, 5_000, () => lost);
    lost = true;
    buffer.wake();
    await interrupted;

    const abort = new AbortController();
    const aborted = buffer.waitFor(1, 5_000, () => false, abort.signal);
    abort.abort();
    await aborted;
  });
});
