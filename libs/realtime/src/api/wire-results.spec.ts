import { decodeErrorInfo, decodeResult, ReplyShapeError } from './wire-results';

describe('decodeResult', () => {
  it('decodes publish, treating left-out zero values (no history) as 0 and ""', () => {
    expect(decodeResult('publish', { offset: 7, epoch: 'rqKx' })).toEqual({ offset: 7, epoch: 'rqKx' });
    expect(decodeResult('publish', {})).toEqual({ offset: 0, epoch: '' });
    expect(decodeResult('publish', undefined)).toEqual({ offset: 0, epoch: '' });
  });

  it('accepts uint64 offsets encoded as strings', () => {
    expect(decodeResult('publish', { offset: '12', epoch: 'e' })).toEqual({ offset: 12, epoch: 'e' });
  });

  it('decodes broadcast responses item by item, keeping per-item errors', () => {
    expect(
      decodeResult('broadcast', {
        responses: [
          { error: { code: 102, message: 'unknown channel' } },
          { result: { offset: 8, epoch: 'nUrf' } },
          {},
        ],
      }),
    ).toEqual({
      responses: [
        { error: { code: 102, message: 'unknown channel' } },
        { result: { offset: 8, epoch: 'nUrf' } },
        { result: { offset: 0, epoch: '' } },
      ],
    });
  });

  it('decodes presence and presence_stats into camelCase', () => {
    expect(
      decodeResult('presence', {
        presence: { c1: { user: '42', client: 'c1', conn_info: { name: 'x' }, chan_info: { role: 'r' } } },
      }),
    ).toEqual({
      presence: { c1: { user: '42', client: 'c1', connInfo: { name: 'x' }, chanInfo: { role: 'r' } } },
    });
    expect(decodeResult('presence', {})).toEqual({ presence: {} });
    expect(decodeResult('presence_stats', { num_clients: 4, num_users: 2 })).toEqual({
      numClients: 4,
      numUsers: 2,
    });
  });

  it('decodes history with publications, tags and client info', () => {
    expect(
      decodeResult('history', {
        publications: [
          { data: { v: 1 }, offset: 1 },
          { data: { v: 2 }, offset: 2, tags: { t: 'x' }, info: { user: 'u', client: 'c' } },
        ],
        epoch: 'ep',
        offset: 2,
      }),
    ).toEqual({
      publications: [
        { data: { v: 1 }, offset: 1 },
        { data: { v: 2 }, offset: 2, tags: { t: 'x' }, info: { user: 'u', client: 'c' } },
      ],
      epoch: 'ep',
      offset: 2,
    });
    expect(decodeResult('history', { epoch: 'ep', offset: 0 })).toEqual({
      publications: [],
      epoch: 'ep',
      offset: 0,
    });
  });

  it('decodes channels and info', () => {
    expect(decodeResult('channels', { channels: { 'sensors:a': { num_clients: 3 }, b: {} } })).toEqual({
      channels: { 'sensors:a': { numClients: 3 }, b: { numClients: 0 } },
    });
    expect(
      decodeResult('info', {
        nodes: [
          {
            uid: 'u1',
            name: 'node',
            version: '6.0.0',
            num_clients: 1,
            num_users: 1,
            num_channels: 2,
            num_subs: 2,
            uptime: 10,
            metrics: { interval: 60, items: { 'x.y': 1.5 } },
            process: { cpu: 0.5, rss: 1000 },
          },
        ],
      }),
    ).toEqual({
      nodes: [
        {
          uid: 'u1',
          name: 'node',
          version: '6.0.0',
          numClients: 1,
          numUsers: 1,
          numChannels: 2,
          numSubs: 2,
          uptime: 10,
          metrics: { interval: 60, items: { 'x.y': 1.5 } },
          process: { cpu: 0.5, rss: 1000 },
        },
      ],
    });
  });

  it('decodes the empty results of the command methods', () => {
    for (const method of ['subscribe', 'unsubscribe', 'disconnect', 'refresh', 'history_remove'] as const)
      expect(decodeResult(method, {})).toEqual({});
  });

  it('throws ReplyShapeError naming the field when the shape is wrong', () => {
    expect(() => decodeResult('publish', 'x')).toThrow(ReplyShapeError);
    expect(() => decodeResult('presence_stats', { num_clients: 'many' })).toThrow(
      '"num_clients" is not a number',
    );
    expect(() => decodeResult('history', { publications: {} })).toThrow('"publications" is not an array');
    expect(() => decodeResult('broadcast', { responses: [7] })).toThrow('"responses[0]" is not an object');
  });
});

describe('decodeErrorInfo', () => {
  it('keeps Centrifugo code and message', () => {
    expect(decodeErrorInfo({ code: 107, message: 'bad request' })).toEqual({
      code: 107,
      message: 'bad request',
    });
    expect(() => decodeErrorInfo('oops')).toThrow(ReplyShapeError);
  });
});
