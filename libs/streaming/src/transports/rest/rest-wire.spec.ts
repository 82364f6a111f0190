import { TemporaryError } from '@databus/common';
import { Offset } from '../../offset/offset';
import {
  commitBody,
  consumerConfigs,
  fromWireRecords,
  RECORDS_CONTENT_TYPE,
  toWireRecord,
} from './rest-wire';

describe('REST streaming service wire mapping', () => {
  it('builds the consumer configs as the seed channel does', () => {
    expect(consumerConfigs(Offset.LATEST)).toEqual({
      'enable.auto.commit': 'false',
      'auto.offset.reset': 'latest',
    });
    expect(consumerConfigs(Offset.BEGIN)['auto.offset.reset']).toBe('earliest');
    expect(consumerConfigs(Offset.NONE)['auto.offset.reset']).toBe('none');
    expect(
      consumerConfigs(Offset.BEGIN, {
        sessionTimeoutMs: 30_000,
        requestTimeoutMs: 45_000,
        'max.poll.records': 50,
        'enable.auto.commit': 'true',
        'auto.offset.reset': 'latest',
      }),
    ).toEqual({
      'session.timeout.ms': '30000',
      'request.timeout.ms': '45000',
      'max.poll.records': '50',
      // Extra configs may turn auto commit on; the offset argument always decides the reset.
      'enable.auto.commit': 'true',
      'auto.offset.reset': 'earliest',
    });
  });

  it('produces records with a base64 payload, the key as sharding key and the headers', () => {
    const record = toWireRecord('case-mgmt-events', {
      key: 'case-1',
      headers: { 'content-type': 'application/json' },
      data: Buffer.from('{"id":1}'),
    });
    expect(record).toEqual({
      routingData: { topic: 'case-mgmt-events', shardingKey: 'case-1' },
      message: {
        headers: { 'content-type': 'application/json' },
        payload: Buffer.from('{"id":1}').toString('base64'),
      },
    });
    expect(toWireRecord('t', { headers: {}, data: Buffer.from('x') }).routingData).toEqual({ topic: 't' });
    expect(RECORDS_CONTENT_TYPE).toBe('application/vnd.dxl.intel.records.v1+json');
  });

  it('reads records: payload decoded, routing data, partition and offset as sequence, commit token', () => {
    const at = new Date('2026-01-01T00:00:00Z');
    const body = JSON.stringify({
      records: [
        {
          routingData: { topic: 'case-mgmt-events', shardingKey: '123' },
          message: { headers: { origin: 'x', n: 5 }, payload: Buffer.from('{"a":1}').toString('base64') },
          partition: 1,
          offset: '100',
        },
      ],
    });
    const [record] = fromWireRecords(body, 'case-mgmt-events', at);
    expect(record).toMatchObject({
      dataset: 'case-mgmt-events',
      key: '123',
      headers: { origin: 'x', n: '5' },
      sequence: 100,
      partition: 1,
      timestamp: at,
      redelivered: false,
      token: { topic: 'case-mgmt-events', partition: 1, offset: 100 },
    });
    expect(record.data.toString()).toBe('{"a":1}');
    expect(fromWireRecords('', 'x', at)).toEqual([]);
  });

  it('treats an answer that is not the documented shape as temporary, as the seed does', () => {
    expect(() => fromWireRecords('<html>', 'ds', new Date())).toThrow(TemporaryError);
    expect(() => fromWireRecords('<html>', 'ds', new Date())).toThrow('The records of "ds" are not JSON.');
    expect(() => fromWireRecords('{"items":[]}', 'ds', new Date())).toThrow('has no records list');
    expect(() => fromWireRecords('{"records":[{"partition":1}]}', 'ds', new Date())).toThrow(
      'Record 0 of "ds" lacks a partition, an offset or a base64 payload.',
    );
  });

  it('commits the consumed offsets as they are, without +1', () => {
    expect(commitBody([{ topic: 't', partition: 0, offset: 7 }])).toEqual({
      offsets: [{ topic: 't', partition: 0, offset: 7 }],
    });
  });
});
