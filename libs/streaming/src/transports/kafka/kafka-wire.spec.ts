import { KafkaRecordReader } from './kafka-driver.interface';
import { KafkaReplyHeaders, toIncomingRecord, toKafkaMessage } from './kafka-wire';
import { FakeKafkaRecord, fakeKafkaRecords } from './testing/fake-kafka.driver';

/** The fake driver's reader, counting what the incoming record asks of it. */
function countingReader() {
  const reads = { key: 0, headers: 0, header: [] as string[], timestamp: 0 };
  const reader: KafkaRecordReader<FakeKafkaRecord> = {
    ...fakeKafkaRecords,
    key: (r) => (reads.key++, fakeKafkaRecords.key(r)),
    headers: (r) => (reads.headers++, fakeKafkaRecords.headers(r)),
    header: (r, name) => (reads.header.push(name), fakeKafkaRecords.header(r, name)),
    timestamp: (r) => (reads.timestamp++, fakeKafkaRecords.timestamp(r)),
  };
  return { reader, reads };
}

const stored = (over: Partial<FakeKafkaRecord> = {}): FakeKafkaRecord => ({
  offset: 0,
  value: Buffer.alloc(0),
  headers: {},
  timestamp: 1,
  ...over,
});

describe('Kafka incoming records', () => {
  it('reads offset, value and partition at once, and builds key, headers and timestamp on first read only', () => {
    const { reader, reads } = countingReader();
    const source = stored({
      offset: 41,
      key: Buffer.from('k1'),
      value: Buffer.from('{}'),
      headers: { 'content-type': 'application/json' },
      timestamp: 1_700_000_000_123,
    });
    const record = toIncomingRecord('readings', 2, source, reader, 5, false);
    expect(record).toMatchObject({ dataset: 'readings', sequence: 41, partition: 2, redelivered: false });
    expect(record.data.toString()).toBe('{}');
    expect(record.token).toEqual({ partition: 2, epoch: 5 });
    expect(reads).toEqual({ key: 0, headers: 0, header: [], timestamp: 0 });
    expect(record.key).toBe('k1');
    expect(record.key).toBe('k1');
    expect(record.headers).toEqual({ 'content-type': 'application/json' });
    expect(record.headers).toBe(record.headers);
    expect(record.timestamp).toEqual(new Date(1_700_000_000_123));
    expect(record.timestamp).toBe(record.timestamp);
    expect(record.replyTo).toBeUndefined();
    expect(record.correlationId).toBeUndefined();
    expect(reads).toMatchObject({ key: 1, headers: 1, timestamp: 1 });
  });

  it('takes the reply headers out of the headers and exposes them as replyTo / correlationId', () => {
    const headers = {
      'content-type': 'application/json',
      [KafkaReplyHeaders.REPLY_TO]: 'replies',
      [KafkaReplyHeaders.CORRELATION_ID]: 'c-1',
    };
    const record = toIncomingRecord('readings', 0, stored({ headers }), fakeKafkaRecords, 1, false);
    expect(record.headers).toEqual({ 'content-type': 'application/json' });
    expect(record.replyTo).toBe('replies');
    expect(record.correlationId).toBe('c-1');
    expect(record.key).toBeUndefined();
    expect(headers[KafkaReplyHeaders.REPLY_TO]).toBe('replies'); // the driver's object is left as it was
  });

  it('keeps what is assigned to it', () => {
    const source = stored({
      offset: 3,
      key: Buffer.from('a'),
      headers: { [KafkaReplyHeaders.REPLY_TO]: 'replies', [KafkaReplyHeaders.CORRELATION_ID]: 'c-1' },
    });
    const record = toIncomingRecord('readings', 0, source, fakeKafkaRecords, 1, false);
    record.key = 'b';
    record.headers = { x: '1' };
    record.timestamp = new Date(9);
    record.redelivered = true;
    record.dataset = 'other';
    expect(record).toMatchObject({
      key: 'b',
      headers: { x: '1' },
      timestamp: new Date(9),
      redelivered: true,
      dataset: 'other',
    });
    record.replyTo = 'elsewhere'; // the correlation id read from the headers stays
    expect([record.replyTo, record.correlationId]).toEqual(['elsewhere', 'c-1']);
    record.correlationId = undefined;
    expect([record.replyTo, record.correlationId]).toEqual(['elsewhere', undefined]);
    const other = toIncomingRecord('readings', 0, source, fakeKafkaRecords, 1, false);
    other.correlationId = 'c-2'; // the reply address read from the headers stays
    expect([other.replyTo, other.correlationId]).toEqual(['replies', 'c-2']);
  });

  it("reads one header, replyTo and correlationId through the reader's header() without building headers", () => {
    const { reader, reads } = countingReader();
    const source = stored({
      headers: { 'content-type': 'application/json', [KafkaReplyHeaders.REPLY_TO]: 'replies' },
    });
    const record = toIncomingRecord('readings', 0, source, reader, 1, false);
    expect(record.header?.('content-type')).toBe('application/json');
    expect(record.header?.(KafkaReplyHeaders.REPLY_TO)).toBeUndefined();
    expect(record.replyTo).toBe('replies'); // the runtime asks this of every record
    expect(record.correlationId).toBeUndefined();
    expect(reads.header).toEqual([
      'content-type',
      KafkaReplyHeaders.REPLY_TO,
      KafkaReplyHeaders.CORRELATION_ID,
    ]);
    expect(reads.headers).toBe(0);
    record.headers = { x: '1' }; // assigned headers are what header() reads from then on
    expect(record.header?.('x')).toBe('1');
    expect(record.header?.('content-type')).toBeUndefined();
  });
});

describe('Kafka outgoing messages', () => {
  const record = () => ({ key: 'k', data: Buffer.from('v'), headers: { 'content-type': 'text/plain' } });

  it("hands the record's headers on without a copy when there are no reply headers", () => {
    const out = record();
    const message = toKafkaMessage(out);
    expect(message).toEqual({ key: 'k', value: out.data, headers: { 'content-type': 'text/plain' } });
    expect(message.headers).toBe(out.headers);
  });

  it("adds the reply headers to a copy, leaving the record's own headers as they were", () => {
    const out = record();
    const message = toKafkaMessage(out, { replyTo: 'replies', correlationId: 'c-1' });
    expect(message.headers).toEqual({
      'content-type': 'text/plain',
      [KafkaReplyHeaders.REPLY_TO]: 'replies',
      [KafkaReplyHeaders.CORRELATION_ID]: 'c-1',
    });
    expect(out.headers).toEqual({ 'content-type': 'text/plain' });
  });
});
