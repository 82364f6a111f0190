import { randomUUID } from 'node:crypto';
import {
  ApiResponseError,
  CentrifugoClient,
  CentrifugoErrorCode,
  EmptyResult,
  RealtimeError,
  UnauthorizedError,
} from '@databus/realtime';
import { CentrifugoTarget, startTarget, TARGET_LABEL } from './centrifugo-target';

const channel = (prefix = 'conf') => `${prefix}-${randomUUID().slice(0, 8)}`;

describe(`CentrifugoClient against ${TARGET_LABEL}`, () => {
  let target: CentrifugoTarget;
  let client: CentrifugoClient;

  beforeAll(async () => {
    target = await startTarget();
    client = new CentrifugoClient({ apiUrl: target.apiUrl, apiKey: target.apiKey, timeoutMs: 5_000 });
  });
  afterAll(async () => {
    client.close();
    await target.close();
  });

  it('publishes and reads the publication back from history', async () => {
    const ch = channel();
    const first = await client.publish({ channel: ch, data: { value: 1 } });
    const second = await client.publish({ channel: ch, data: { value: 2 }, tags: { unit: 'C' } });
    expect(first.epoch).not.toBe('');
    expect(second).toEqual({ offset: first.offset + 1, epoch: first.epoch });

    const history = await client.history({ channel: ch, limit: 10 });
    expect(history.epoch).toBe(first.epoch);
    expect(history.offset).toBe(second.offset);
    expect(history.publications.map((p) => p.data)).toEqual([{ value: 1 }, { value: 2 }]);
    expect(history.publications[1].tags).toEqual({ unit: 'C' });
  });

  it('sends the API key in the X-API-Key header and the documented snake_case body', async () => {
    await client.publish({ channel: channel(), data: { a: 1 }, skipHistory: true, idempotencyKey: 'id-1' });
    if (!target.fake) return; // on a real server, the accepted publish above is the check
    const request = target.fake.requests.at(-1)!;
    expect(request.method).toBe('publish');
    expect(request.headers['x-api-key']).toBe(target.apiKey);
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.body).toEqual(
      expect.objectContaining({ data: { a: 1 }, skip_history: true, idempotency_key: 'id-1' }),
    );
  });

  it('reads history since a position, in reverse, and with limit 0 (position only)', async () => {
    const ch = channel();
    const published = [];
    for (let i = 1; i <= 4; i++) published.push(await client.publish({ channel: ch, data: { i } }));
    const { epoch } = published[0];

    const since = await client.history({
      channel: ch,
      limit: 10,
      since: { offset: published[1].offset, epoch },
    });
    expect(since.publications.map((p) => p.data)).toEqual([{ i: 3 }, { i: 4 }]);

    const reversed = await client.history({ channel: ch, limit: 2, reverse: true });
    expect(reversed.publications.map((p) => p.data)).toEqual([{ i: 4 }, { i: 3 }]);

    const position = await client.history({ channel: ch });
    expect(position).toEqual({ publications: [], epoch, offset: published[3].offset });
  });

  it('removes history', async () => {
    const ch = channel();
    await client.publish({ channel: ch, data: 'x' });
    await expect(client.historyRemove({ channel: ch })).resolves.toEqual({});
    expect((await client.history({ channel: ch, limit: 10 })).publications).toEqual([]);
  });

  it('broadcasts and reports a per-channel error without throwing', async () => {
    const good = channel();
    const result = await client.broadcast({ channels: ['unknownns:1', good], data: { text: 'hi' } });
    expect(result.responses).toHaveLength(2);
    expect(result.responses[0].error).toEqual({
      code: CentrifugoErrorCode.UNKNOWN_CHANNEL,
      message: 'unknown channel',
    });
    expect(result.responses[1].error).toBeUndefined();
    expect(result.responses[1].result?.epoch).not.toBe('');
  });

  it('throws ApiResponseError for a top-level broadcast error (empty channel list)', async () => {
    const error = await client.broadcast({ channels: [], data: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiResponseError);
    expect(error).toBeInstanceOf(RealtimeError);
    expect(error).toMatchObject({
      method: 'broadcast',
      code: CentrifugoErrorCode.BAD_REQUEST,
      apiMessage: 'bad request',
    });
  });

  it('throws ApiResponseError for an unknown channel namespace', async () => {
    await expect(client.publish({ channel: 'unknownns:x', data: {} })).rejects.toMatchObject({
      name: 'ApiResponseError',
      code: CentrifugoErrorCode.UNKNOWN_CHANNEL,
    });
  });

  it('runs a batch with typed replies in order, per-item errors included', async () => {
    const ch = channel();
    const result = await client.batch({
      commands: [
        { method: 'publish', request: { channel: ch, data: { n: 1 } } },
        { method: 'publish', request: { channel: 'unknownns:1', data: { n: 2 } } },
        { method: 'history', request: { channel: ch, limit: 5 } },
        { method: 'presence_stats', request: { channel: ch } },
      ],
    });
    const [published, failed, history, stats] = result.replies;
    expect(published.result?.offset).toBeGreaterThan(0);
    expect(failed.error?.code).toBe(CentrifugoErrorCode.UNKNOWN_CHANNEL);
    expect(history.result?.publications.map((p) => p.data)).toEqual([{ n: 1 }]);
    expect(stats.result).toEqual({ numClients: 0, numUsers: 0 });
  });

  it('runs a parallel batch and sends the parallel flag', async () => {
    const channels = [channel(), channel(), channel()];
    const result = await client.batch({
      commands: channels.map(
        (ch) => ({ method: 'publish', request: { channel: ch, data: { ch } } }) as const,
      ),
      parallel: true,
    });
    expect(result.replies.every((r) => r.result && r.result.offset > 0)).toBe(true);
    if (target.fake)
      expect(target.fake.requests.at(-1)!.body).toEqual(expect.objectContaining({ parallel: true }));
  });

  /** The method and body of the last request the fake received (undefined on a real server). */
  const lastSent = () => {
    const request = target.fake?.requests.at(-1);
    return request && { method: request.method, body: request.body };
  };

  it('subscribes a user server-side: POST subscribe with the snake_case body, empty result', async () => {
    const ch = channel();
    const expireAt = Math.floor(Date.now() / 1000) + 60;
    const result: EmptyResult = await client.subscribe({
      channel: ch,
      user: 'user-42',
      expireAt,
      info: { role: 'viewer' },
      data: { welcome: true },
      override: { presence: true },
    });
    expect(result).toEqual({});
    if (!target.fake) return; // on a real server, the accepted subscribe above is the check
    expect(lastSent()).toEqual({
      method: 'subscribe',
      body: {
        channel: ch,
        user: 'user-42',
        expire_at: expireAt,
        info: { role: 'viewer' },
        data: { welcome: true },
        override: { presence: { value: true } },
      },
    });
  });

  it('unsubscribes one client of a user: POST unsubscribe with channel, user and client', async () => {
    const ch = channel();
    const result: EmptyResult = await client.unsubscribe({ channel: ch, user: 'user-42', client: 'c-1' });
    expect(result).toEqual({});
    if (!target.fake) return;
    expect(lastSent()).toEqual({
      method: 'unsubscribe',
      body: { channel: ch, user: 'user-42', client: 'c-1' },
    });
  });

  it('disconnects a user with a custom code and a whitelist: POST disconnect', async () => {
    const result: EmptyResult = await client.disconnect({
      user: 'user-42',
      disconnect: { code: 4500, reason: 'bye' },
      whitelist: ['keep-me'],
    });
    expect(result).toEqual({});
    if (!target.fake) return;
    expect(lastSent()).toEqual({
      method: 'disconnect',
      body: { user: 'user-42', whitelist: ['keep-me'], disconnect: { code: 4500, reason: 'bye' } },
    });
  });

  it('refreshes a user connection with a new expiry: POST refresh with expire_at', async () => {
    const expireAt = Math.floor(Date.now() / 1000) + 60;
    const result: EmptyResult = await client.refresh({ user: 'user-42', session: 's-1', expireAt });
    expect(result).toEqual({});
    if (!target.fake) return;
    expect(lastSent()).toEqual({
      method: 'refresh',
      body: { user: 'user-42', session: 's-1', expire_at: expireAt },
    });
  });

  it('refresh with expired: true sends expired and no expire_at', async () => {
    await expect(client.refresh({ user: 'user-42', expired: true })).resolves.toEqual({});
    if (!target.fake) return;
    expect(lastSent()).toEqual({ method: 'refresh', body: { user: 'user-42', expired: true } });
  });

  it('rejects a subscribe without a user as a bad request', async () => {
    await expect(client.subscribe({ channel: channel(), user: '' })).rejects.toMatchObject({
      code: CentrifugoErrorCode.BAD_REQUEST,
    });
  });

  it('reports presence, presence stats and channels', async () => {
    const ch = channel('sensors:presence');
    if (target.fake) {
      target.fake.connect(ch, 'alice', 'client-1', { conn_info: { device: 'phone' } });
      target.fake.connect(ch, 'alice', 'client-2');
      target.fake.connect(ch, 'bob', 'client-3');
    }
    const presence = await client.presence({ channel: ch });
    const stats = await client.presenceStats({ channel: ch });
    const channels = await client.channels({ pattern: 'sensors:*' });
    if (!target.fake) {
      expect(presence).toEqual({ presence: {} });
      expect(stats).toEqual({ numClients: 0, numUsers: 0 });
      return expect(typeof channels.channels).toBe('object');
    }
    expect(presence.presence['client-1']).toEqual({
      user: 'alice',
      client: 'client-1',
      connInfo: { device: 'phone' },
    });
    expect(Object.keys(presence.presence)).toHaveLength(3);
    expect(stats).toEqual({ numClients: 3, numUsers: 2 });
    expect(channels.channels[ch]).toEqual({ numClients: 3 });
    expect(Object.keys(channels.channels).every((name) => name.startsWith('sensors:'))).toBe(true);
  });

  it('returns node statistics from info', async () => {
    const { nodes } = await client.info();
    expect(nodes.length).toBeGreaterThan(0);
    expect(nodes[0]).toEqual(
      expect.objectContaining({
        uid: expect.any(String),
        version: expect.any(String),
        numClients: expect.any(Number),
      }),
    );
  });

  it('calls any method by its wire name', async () => {
    await expect(client.call('presence_stats', { channel: channel() })).resolves.toEqual({
      numClients: 0,
      numUsers: 0,
    });
  });

  it('maps a wrong API key to UnauthorizedError and never shows either key', async () => {
    const wrongKey = 'wrong-key-0123456789';
    const bad = new CentrifugoClient({ apiUrl: target.apiUrl, apiKey: wrongKey });
    try {
      const error = await bad.publish({ channel: channel(), data: {} }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnauthorizedError);
      const text = `${String(error)} ${JSON.stringify(error)} ${(error as Error).stack}`;
      expect(text).not.toContain(wrongKey);
      expect(text).not.toContain(target.apiKey);
    } finally {
      bad.close();
    }
  });
});
