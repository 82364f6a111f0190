import { KafkaDriverRecord } from './kafka-driver.interface';
import { KafkaReplyHeaders, toIncomingRecord, toKafkaMessage } from './kafka-wire';

/** A driver record that counts how often its headers and timestamp are read. */
function counted(record: Omit<KafkaDriverRecord, 'headers' | 'timestamp'>, headers: Record<string, string>) {
  const reads = { headers: 0, timestamp: 0 };
  const source = {
    ...record,
    get headers() {
      reads.headers++;
      return headers;
    },
    get timestamp() {
      reads.timestamp++;
      return 1_700_000_000_123;
    },
  };
  return { source, reads };
}

describe('Kafka incoming records', () => {
  it('reads offset, value and partition at once, and builds key, headers and timestamp on first read only', () => {
    const { source, reads } = counted(
      { offset: 41, key: Buffer.from('k1'), value: Buffer.from('{}') },
      { 'content-type': 'application/json' },
    );
    const record = toIncomingRecord('readings', 2, source, 5, false);
    expect(record).toMatchObject({ dataset: 'readings', sequence: 41, partition: 2, redelivered: false });
    expect(record.data.toString()).toBe('{}');
    expect(record.token).toEqual({ partition: 2, epoch: 5 });
    expect(reads).toEqual({ headers: 0, timestamp: 0 });
    expect(record.key).toBe('k1');
    expect(record.headers).toEqual({ 'content-type': 'application/json' });
    expect(record.headers).toBe(record.headers);
    expect(record.timestamp).toEqual(new Date(1_700_000_000_123));
    expect(record.timestamp).toBe(record.timestamp);
    expect(record.replyTo).toBeUndefined();
    expect(record.correlationId).toBeUndefined();
    expect(reads.timestamp).toBe(1);
  });

  it('takes the reply headers out of the headers and exposes them as replyTo / correlationId', () => {
    const headers = {
      'content-type': 'application/json',
      [KafkaReplyHeaders.REPLY_TO]: 'replies',
      [KafkaReplyHeaders.CORRELATION_ID]: 'c-1',
    };
    const record = toIncomingRecord(
      'readings',
      0,
      { offset: 0, value: Buffer.alloc(0), headers, timestamp: 1 },
      1,
      false,
    );
    expect(record.headers).toEqual({ 'content-type': 'application/json' });
    expect(record.replyTo).toBe('replies');
    expect(record.correlationId).toBe('c-1');
    expect(record.key).toBeUndefined();
    expect(headers[KafkaReplyHeaders.REPLY_TO]).toBe('replies'); // the driver's object is left as it was
  });

  it('keeps what is assigned to it', () => {
    const record = toIncomingRecord(
      'readings',
      0,
      { offset: 3, key: Buffer.from('a'), value: Buffer.alloc(0), headers: {}, timestamp: 1 },
      1,
      false,
    );
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
  });

  it("reads one header, replyTo and correlationId through the driver record's header() without building headers", () => {
    const values: Record<string, string> = {
      'content-type': 'application/json',
      [KafkaReplyHeaders.REPLY_TO]: 'replies',
    };
    const asked: string[] = [];
    const source = {
      offset: 1,
      value: Buffer.alloc(0),
      timestamp: 1,
      get headers(): Record<string, string> {
        throw new Error('headers were built');
      },
      header: (name: string) => (asked.push(name), values[name]),
    };
    const record = toIncomingRecord('readings', 0, source, 1, false);
    expect(record.header?.('content-type')).toBe('application/json');
    expect(record.header?.(KafkaReplyHeaders.REPLY_TO)).toBeUndefined();
    expect(record.replyTo).toBe('replies'); // the runtime asks this of every record
    expect(record.correlationId).toBeUndefined();
    expect(asked).toEqual(['content-type', KafkaReplyHeaders.REPLY_TO, KafkaReplyHeaders.CORRELATION_ID]);
    record.headers = { x: '1' }; // assigned headers are what header() reads from then on
    expect(record.header?.('x')).toBe('1');
    expect(record.header?.('content-type')).toBeUndefined();
  });

  it('reads one header from the driver headers when the driver record has no header()', () => {
    const record = toIncomingRecord(
      'readings',
      0,
      { offset: 0, value: Buffer.alloc(0), headers: { 'content-type': 'text/plain' }, timestamp: 1 },
      1,
      false,
    );
    expect(record.header?.('content-type')).toBe('text/plain');
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
