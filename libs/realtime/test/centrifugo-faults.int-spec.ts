import { Agent } from 'node:http';
import { createServer } from 'node:net';
import { isRetriable, TemporaryError } from '@databus/common';
import {
  CentrifugoClient,
  DecodeError,
  NetworkError,
  RealtimeError,
  TimeoutError,
  TransportError,
} from '@databus/realtime';
import { FakeCentrifugo } from './fake-centrifugo';

const API_KEY = 'fault-suite-api-key-secret';

/** Everything an error could leak through: message, stack, cause chain and enumerable fields. */
function everythingIn(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause)
    parts.push(String(e), String((e as Error).stack), JSON.stringify(e));
  return parts.join('\n');
}

describe('CentrifugoClient failure mapping (fake Centrifugo with fault injection)', () => {
  let fake: FakeCentrifugo;
  let client: CentrifugoClient;

  beforeAll(async () => {
    fake = await FakeCentrifugo.start({ apiKey: API_KEY });
    client = new CentrifugoClient({ apiUrl: fake.apiUrl, apiKey: API_KEY, timeoutMs: 2_000 });
  });
  // A call that times out before its request reaches the fake leaves its fault queued: drop it so it
  // cannot answer the next test's request.
  afterEach(() => fake.clearFaults());
  afterAll(async () => {
    client.close();
    await fake.close();
  });

  it('times out a slow reply with TimeoutError (temporary) and keeps working afterwards', async () => {
    fake.failNext({ kind: 'delay', ms: 1_000 });
    const error = await client
      .publish({ channel: 'slow', data: {} }, { timeoutMs: 50 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toBeInstanceOf(TemporaryError);
    expect(error).toMatchObject({ method: 'publish', timeoutMs: 50 });
    await expect(client.publish({ channel: 'slow', data: {} })).resolves.toEqual(
      expect.objectContaining({ offset: 1 }),
    );
  });

  it('applies the client-wide timeoutMs', async () => {
    const quick = new CentrifugoClient({ apiUrl: fake.apiUrl, apiKey: API_KEY, timeoutMs: 30 });
    fake.failNext({ kind: 'delay', ms: 500 }, 1, 'info');
    await expect(quick.info()).rejects.toBeInstanceOf(TimeoutError);
    quick.close();
  });

  it('maps HTTP 500 to a retriable TransportError with the status', async () => {
    fake.failNext({ kind: 'status', status: 500, body: 'Internal Server Error\n' }, 1, 'presence');
    const error = await client.presence({ channel: 'c' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toBeInstanceOf(RealtimeError);
    expect(error).toMatchObject({ status: 500, body: 'Internal Server Error', method: 'presence' });
    expect(isRetriable(error)).toBe(true);
  });

  it('maps HTTP 400 (malformed request) to a permanent TransportError', async () => {
    fake.failNext({ kind: 'status', status: 400, body: 'Bad Request\n' });
    const error = await client.publish({ channel: 'c', data: {} }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'TransportError', status: 400 });
    expect(isRetriable(error)).toBe(false);
  });

  it('maps a wrong apiUrl path (404) to TransportError', async () => {
    const wrong = new CentrifugoClient({ apiUrl: fake.apiUrl.replace(/\/api$/, '/nope'), apiKey: API_KEY });
    await expect(wrong.info()).rejects.toMatchObject({ name: 'TransportError', status: 404 });
    wrong.close();
  });

  it('maps broken JSON and a non-object reply to DecodeError', async () => {
    fake.failNext({ kind: 'raw', body: '{"result": {"offset": 1,' });
    await expect(client.publish({ channel: 'c', data: {} })).rejects.toBeInstanceOf(DecodeError);
    fake.failNext({ kind: 'raw', body: '"just a string"' });
    await expect(client.publish({ channel: 'c', data: {} })).rejects.toBeInstanceOf(DecodeError);
  });

  it('maps a reply of the wrong shape to DecodeError naming the field', async () => {
    fake.failNext({ kind: 'raw', body: '{"result": {"num_clients": "many"}}' });
    const error = await client.presenceStats({ channel: 'c' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DecodeError);
    expect((error as Error).message).toContain('num_clients');
    fake.failNext({ kind: 'raw', body: '{"replies": []}' });
    await expect(client.batch({ commands: [{ method: 'info', request: {} }] })).rejects.toThrow(
      '0 replies for 1 commands',
    );
  });

  it('maps a dropped connection to NetworkError (temporary)', async () => {
    fake.failNext({ kind: 'destroy' });
    const error = await client.info().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toBeInstanceOf(TemporaryError);
  });

  it('maps connection refused to NetworkError with ECONNREFUSED', async () => {
    const port = await freePort();
    const refused = new CentrifugoClient({ apiUrl: `http://127.0.0.1:${port}/api`, apiKey: API_KEY });
    await expect(refused.info()).rejects.toMatchObject({ name: 'NetworkError', code: 'ECONNREFUSED' });
    refused.close();
  });

  it('maps a DNS failure to NetworkError', async () => {
    const unknown = new CentrifugoClient({
      apiUrl: 'http://centrifugo.invalid/api',
      apiKey: API_KEY,
      timeoutMs: 5_000,
    });
    const error = await unknown.info().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(['ENOTFOUND', 'EAI_AGAIN']).toContain((error as NetworkError).code);
    unknown.close();
  });

  it('never puts the API key in any error', async () => {
    const failures: unknown[] = [];
    for (const fault of [
      { kind: 'delay', ms: 300 },
      { kind: 'status', status: 500, body: `echo ${API_KEY}` },
      { kind: 'raw', body: `{${API_KEY}` },
      { kind: 'destroy' },
    ] as const) {
      fake.failNext(fault);
      failures.push(
        await client.publish({ channel: 'c', data: {} }, { timeoutMs: 100 }).catch((e: unknown) => e),
      );
    }
    expect(failures.every((e) => e instanceof RealtimeError)).toBe(true);
    for (const failure of failures) expect(everythingIn(failure)).not.toContain(API_KEY);
  });

  it('cancels a call through an AbortSignal', async () => {
    fake.failNext({ kind: 'delay', ms: 500 });
    const controller = new AbortController();
    const call = client.info({ signal: controller.signal });
    setTimeout(() => controller.abort(new Error('cancelled by test')), 20);
    await expect(call).rejects.toThrow('cancelled by test');
  });

  it('reuses the keep-alive connection between calls', async () => {
    const own = new CentrifugoClient({ apiUrl: fake.apiUrl, apiKey: API_KEY });
    await own.info();
    await own.info();
    await own.info();
    const ports = fake.requests.slice(-3).map((r) => r.remotePort);
    expect(new Set(ports).size).toBe(1);
    own.close();
  });

  it('sends through a custom agent and leaves it open on close', async () => {
    const agent = new Agent({ keepAlive: false });
    const createConnection = jest.spyOn(agent, 'createConnection' as never);
    const custom = new CentrifugoClient({ apiUrl: fake.apiUrl, apiKey: API_KEY, agent });
    await custom.info();
    expect(createConnection).toHaveBeenCalled();
    custom.close();
    await expect(custom.info()).rejects.toThrow('CentrifugoClient is closed');
    agent.destroy();
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
