import { encodeRequest } from './wire-requests';

describe('encodeRequest', () => {
  it('encodes publish with snake_case keys and leaves out undefined fields', () => {
    expect(
      encodeRequest('publish', {
        channel: 'sensors:a1',
        data: { value: 1, nested: { camelCase: true } },
        skipHistory: true,
        tags: { unit: 'C' },
        idempotencyKey: 'k1',
        delta: false,
        version: 3,
        versionEpoch: 'e',
      }),
    ).toEqual({
      channel: 'sensors:a1',
      data: { value: 1, nested: { camelCase: true } },
      skip_history: true,
      tags: { unit: 'C' },
      idempotency_key: 'k1',
      delta: false,
      version: 3,
      version_epoch: 'e',
    });
    expect(encodeRequest('publish', { channel: 'news', data: 'hi' })).toEqual({
      channel: 'news',
      data: 'hi',
    });
  });

  it('passes user payloads through untouched (no key conversion inside data, info or tags)', () => {
    const data = { someKey: [1, { otherKey: null }] };
    const body = encodeRequest('subscribe', { channel: 'c', user: 'u', info: { myInfo: 1 }, data });
    expect(body.data).toBe(data);
    expect(body.info).toEqual({ myInfo: 1 });
  });

  it('encodes broadcast with a channels list and b64data', () => {
    expect(encodeRequest('broadcast', { channels: ['a', 'b'], b64data: 'AQI=', skipHistory: false })).toEqual(
      {
        channels: ['a', 'b'],
        b64data: 'AQI=',
        skip_history: false,
      },
    );
  });

  it('encodes subscribe with expire_at, recover_since and boolean overrides wrapped as { value }', () => {
    expect(
      encodeRequest('subscribe', {
        channel: 'c',
        user: '42',
        expireAt: 1700000000,
        client: 'cid',
        session: 's',
        b64info: 'eA==',
        recoverSince: { offset: 5, epoch: 'abc' },
        override: { presence: true, joinLeave: false, forcePushJoinLeave: true },
      }),
    ).toEqual({
      channel: 'c',
      user: '42',
      expire_at: 1700000000,
      client: 'cid',
      session: 's',
      b64info: 'eA==',
      recover_since: { offset: 5, epoch: 'abc' },
      override: {
        presence: { value: true },
        join_leave: { value: false },
        force_push_join_leave: { value: true },
      },
    });
  });

  it('encodes unsubscribe, disconnect and refresh', () => {
    expect(encodeRequest('unsubscribe', { channel: 'c', user: 'u', client: 'x' })).toEqual({
      channel: 'c',
      user: 'u',
      client: 'x',
    });
    expect(
      encodeRequest('disconnect', {
        user: 'u',
        whitelist: ['keep'],
        disconnect: { code: 4500, reason: 'bye' },
      }),
    ).toEqual({ user: 'u', whitelist: ['keep'], disconnect: { code: 4500, reason: 'bye' } });
    expect(encodeRequest('refresh', { user: 'u', expired: true, expireAt: 10, info: { a: 1 } })).toEqual({
      user: 'u',
      expired: true,
      expire_at: 10,
      info: { a: 1 },
    });
  });

  it('encodes the read methods', () => {
    expect(encodeRequest('presence', { channel: 'c' })).toEqual({ channel: 'c' });
    expect(encodeRequest('presence_stats', { channel: 'c' })).toEqual({ channel: 'c' });
    expect(
      encodeRequest('history', { channel: 'c', limit: 10, since: { offset: 2, epoch: 'e' }, reverse: true }),
    ).toEqual({
      channel: 'c',
      limit: 10,
      since: { offset: 2, epoch: 'e' },
      reverse: true,
    });
    expect(encodeRequest('history_remove', { channel: 'c' })).toEqual({ channel: 'c' });
    expect(encodeRequest('channels', { pattern: 'sensors:*' })).toEqual({ pattern: 'sensors:*' });
    expect(encodeRequest('channels', {})).toEqual({});
    expect(encodeRequest('info', {})).toEqual({});
  });

  it('rejects an unknown method and a non-object request', () => {
    expect(() => encodeRequest('nope' as never, {} as never)).toThrow('Unknown Centrifugo API method "nope"');
    expect(() => encodeRequest('publish', null as never)).toThrow('must be an object');
  });
});
