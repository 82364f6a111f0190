import { inspect } from 'node:util';
import { IncomingRecord } from '../transport/transport-record.interface';
import { DatasetMessage } from './dataset-message';

const record: IncomingRecord = {
  dataset: 'orders',
  key: 'c-1',
  headers: { 'content-type': 'application/json' },
  data: Buffer.from('{"total":3}'),
  sequence: 42,
  timestamp: new Date(1_000),
  partition: 2,
  redelivered: true,
  replyTo: 'inbox',
  correlationId: 'corr-1',
};

describe('DatasetMessage', () => {
  it("exposes its record's fields as they are (no copy), and decodes the body", () => {
    const message = new DatasetMessage(record);
    expect(message).toMatchObject({
      dataset: 'orders',
      key: 'c-1',
      sequence: 42,
      partition: 2,
      redelivered: true,
      replyTo: 'inbox',
      correlationId: 'corr-1',
    });
    expect(message.data).toBe(record.data);
    expect(message.headers).toBe(record.headers);
    expect(message.timestamp).toBe(record.timestamp);
    expect(message.json()).toEqual({ total: 3 });
    expect(message.text()).toBe('{"total":3}');
  });

  it('prints metadata only, never the body', () => {
    expect(inspect(new DatasetMessage(record))).toBe(
      'DatasetMessage { dataset: "orders", sequence: 42, key: "c-1", bytes: 11 }',
    );
  });
});
