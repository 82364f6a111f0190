import type { ConsumeMessage } from 'amqplib';
import {
  AmqpHeaders,
  headerText,
  producedBefore,
  publishOptions,
  PublishStamp,
  streamOffset,
  toIncomingRecord,
} from './amqp-wire';

function delivery(content: string, properties: Partial<ConsumeMessage['properties']>): ConsumeMessage {
  return {
    content: Buffer.from(content),
    fields: { deliveryTag: 1, redelivered: false, exchange: '', routingKey: 'ds', consumerTag: 'c' },
    properties: { headers: {}, ...properties } as ConsumeMessage['properties'],
  } as ConsumeMessage;
}

describe('amqp wire format', () => {
  it('publishes persistent messages with the content type as a property and the key as a header', () => {
    const options = publishOptions(
      { key: 'k1', headers: { 'content-type': 'application/json', trace: 't' }, data: Buffer.from('{}') },
      { replyTo: 'amq.rabbitmq.reply-to', correlationId: 'c-1' },
      new PublishStamp(1_700_000_000_123),
    );
    expect(options).toMatchObject({
      persistent: true,
      contentType: 'application/json',
      timestamp: 1_700_000_000,
      replyTo: 'amq.rabbitmq.reply-to',
      correlationId: 'c-1',
      headers: { trace: 't', [AmqpHeaders.KEY]: 'k1' },
    });
    expect(options.headers).not.toHaveProperty('content-type');
    expect(options.headers).not.toHaveProperty(AmqpHeaders.TIMESTAMP_MS);
    expect(options.messageId).toMatch(/^1700000000123-[0-9a-z]+$/);
  });

  it('sends a record with no key and no other header without a headers table, its milliseconds in the message id', () => {
    const stamp = new PublishStamp(1_700_000_000_123);
    const plain = { headers: { 'content-type': 'application/json' }, data: Buffer.from('{}') };
    const [a, b] = [publishOptions(plain, {}, stamp), publishOptions(plain, {}, stamp)];
    expect(a.headers).toBeUndefined();
    expect(a.messageId).toMatch(/^1700000000123-/);
    expect(a.messageId).not.toBe(b.messageId);
    const keyed = publishOptions({ ...plain, key: 'k1' }, {}, stamp);
    expect(keyed.headers).toEqual({ [AmqpHeaders.KEY]: 'k1' });
    expect(publishOptions(plain, { mandatory: true }, stamp).mandatory).toBe(true);
  });

  it('reads back the milliseconds of what it published, from the message id', () => {
    const options = publishOptions(
      { headers: {}, data: Buffer.from('x') },
      {},
      new PublishStamp(1_700_000_000_123),
    );
    const message = delivery('x', { messageId: options.messageId, timestamp: options.timestamp });
    expect(toIncomingRecord('ds', message, 0).timestamp.getTime()).toBe(1_700_000_000_123);
    expect(producedBefore(message, 1_700_000_000_124)).toBe(true);
    expect(producedBefore(message, 1_700_000_000_123)).toBe(false);
  });

  it('takes a message id that only looks like ours for no time: its milliseconds must match the timestamp', () => {
    const other = delivery('x', { messageId: '1700000005000-abc', timestamp: 1_700_000_000 });
    expect(toIncomingRecord('ds', other, 0).timestamp.getTime()).toBe(1_700_000_000_000);
    const noTimestamp = delivery('x', { messageId: '1700000000123-abc' });
    expect(producedBefore(noTimestamp, Date.now())).toBe(false);
    const uuid = delivery('x', { messageId: '0b5e4f2c-1d2e-4f00-8a9b-112233445566', timestamp: 0 });
    expect(producedBefore(uuid, Date.now())).toBe(false);
  });

  it('still reads the millisecond header of messages from earlier versions', () => {
    const old = delivery('x', {
      messageId: '0b5e4f2c-1d2e-4f00-8a9b-112233445566',
      timestamp: 1_700_000_000,
      headers: { [AmqpHeaders.TIMESTAMP_MS]: '1700000000456' },
    });
    expect(toIncomingRecord('ds', old, 0).timestamp.getTime()).toBe(1_700_000_000_456);
    expect(toIncomingRecord('ds', old, 0).headers).not.toHaveProperty(AmqpHeaders.TIMESTAMP_MS);
  });

  it('reads a delivery: offset, key, headers as text, content type, time, reply address', () => {
    const message = delivery('{"a":1}', {
      contentType: 'application/json',
      replyTo: 'reply-q',
      correlationId: 'c-2',
      headers: {
        [AmqpHeaders.STREAM_OFFSET]: 41,
        [AmqpHeaders.KEY]: 'k',
        [AmqpHeaders.TIMESTAMP_MS]: '1700000000123',
        count: 3,
        flag: true,
        raw: Buffer.from('bytes'),
        nested: { a: 1 },
      },
    });
    expect(streamOffset(message)).toBe(41);
    const record = toIncomingRecord('ds', message, 41);
    expect(record).toMatchObject({
      dataset: 'ds',
      key: 'k',
      sequence: 41,
      replyTo: 'reply-q',
      correlationId: 'c-2',
      headers: {
        'content-type': 'application/json',
        count: '3',
        flag: 'true',
        raw: 'bytes',
        nested: '{"a":1}',
      },
    });
    expect(record.headers).not.toHaveProperty(AmqpHeaders.STREAM_OFFSET);
    expect(record.headers).not.toHaveProperty(AmqpHeaders.KEY);
    expect(record.timestamp.getTime()).toBe(1_700_000_000_123);
  });

  it('falls back to the AMQP timestamp (seconds) and has no key or offset when absent', () => {
    const message = delivery('x', { timestamp: 1_700_000_000 });
    expect(streamOffset(message)).toBeUndefined();
    const record = toIncomingRecord('ds', message, 0);
    expect(record.key).toBeUndefined();
    expect(record.timestamp.getTime()).toBe(1_700_000_000_000);
  });

  it('skips by time only messages certainly produced before it', () => {
    const exact = delivery('x', { headers: { [AmqpHeaders.TIMESTAMP_MS]: '1000500' } });
    expect(producedBefore(exact, 1_000_501)).toBe(true);
    expect(producedBefore(exact, 1_000_500)).toBe(false);
    const seconds = delivery('x', { timestamp: 1000 });
    expect(producedBefore(seconds, 1_000_999)).toBe(false); // same second: maybe after
    expect(producedBefore(seconds, 1_001_000)).toBe(true);
    expect(producedBefore(delivery('x', {}), Date.now())).toBe(false);
  });

  it('prints typed AMQP values', () => {
    expect(headerText({ '!': 'long', value: 5 })).toBe('5');
    expect(headerText(new Date(0))).toBe('1970-01-01T00:00:00.000Z');
  });
});
