import { Test, TestingModule } from '@nestjs/testing';
import { uniqueName, waitFor } from '@databus/testing';
import {
  ChannelService,
  DatabusHeaders,
  DatasetMessage,
  MemoryStreaming,
  Offset,
  StreamingModule,
} from '@databus/streaming';
import {
  CentrifugoClient,
  getRealtimeBridgeToken,
  RealtimeBridge,
  RealtimeBridgeModule,
  RealtimeBridgeOptions,
  RealtimeModule,
} from '@databus/realtime';
import { FakeCentrifugo } from './fake-centrifugo';

const API_KEY = 'bridge-suite-api-key';
const FAST_RETRY = { attempts: 3, backoff: { initialMs: 5, maxMs: 20, factor: 2 } };

describe('RealtimeBridgeModule (memory streaming → fake Centrifugo)', () => {
  let fake: FakeCentrifugo;
  let app: TestingModule | undefined;
  let broker: string;
  let dataset: string;

  beforeAll(async () => {
    fake = await FakeCentrifugo.start({ apiKey: API_KEY });
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    broker = uniqueName('bridge');
    dataset = uniqueName('readings');
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
    MemoryStreaming.reset(broker);
  });

  async function start(options: Partial<RealtimeBridgeOptions> = {}): Promise<ChannelService> {
    app = await Test.createTestingModule({
      imports: [
        StreamingModule.forRoot({ url: `memory://${broker}`, logger: false, isGlobal: true }),
        RealtimeModule.forRoot({ apiUrl: fake.apiUrl, apiKey: API_KEY, timeoutMs: 2_000, isGlobal: true }),
        RealtimeBridgeModule.forFeature({
          dataset,
          channel: (msg: DatasetMessage) => `sensors:${msg.key}`,
          offset: Offset.BEGIN,
          retry: FAST_RETRY,
          ...options,
        }),
      ],
    }).compile();
    await app.init();
    return app.get(ChannelService);
  }

  const history = async (channel: string) =>
    (await app!.get(CentrifugoClient).history({ channel, limit: 100 })).publications.map((p) => p.data);
  const deadLetters = () => MemoryStreaming.messages(broker, `${dataset}.dlq`);
  const batchCalls = () => fake.requests.filter((r) => r.method === 'batch');

  it('publishes each message to the channel computed from it, in order per key, batched per tick', async () => {
    const channel = await start();
    expect(app!.get<RealtimeBridge>(getRealtimeBridgeToken(dataset)).running).toBe(true);
    const before = batchCalls().length;
    await channel.produceMany(
      dataset,
      Array.from({ length: 30 }, (_, i) => ({ key: i % 2 ? 'b' : 'a', value: { n: i } })),
    );
    await waitFor(
      async () => (await history('sensors:a')).length === 15 && (await history('sensors:b')).length === 15,
    );
    expect(await history('sensors:a')).toEqual(Array.from({ length: 15 }, (_, i) => ({ n: i * 2 })));
    expect(await history('sensors:b')).toEqual(Array.from({ length: 15 }, (_, i) => ({ n: i * 2 + 1 })));
    const calls = batchCalls().slice(before);
    const commands = calls.flatMap((c) => (c.body as { commands: unknown[] }).commands);
    expect(commands).toHaveLength(30);
    expect(calls.length).toBeLessThan(30);
  });

  it('sends an idempotency key per message and the data chosen by the data option', async () => {
    const channel = await start({ data: (msg) => ({ reading: msg.json(), key: msg.key }), idempotent: true });
    const { sequence } = await channel.produce(dataset, { v: 1 }, { key: 'k1' });
    await waitFor(async () => (await history('sensors:k1')).length === 1);
    expect(await history('sensors:k1')).toEqual([{ reading: { v: 1 }, key: 'k1' }]);
    const command = (batchCalls().at(-1)!.body as { commands: Array<{ publish: Record<string, unknown> }> })
      .commands[0];
    expect(command.publish.idempotency_key).toBe(`${dataset}:0:${sequence}`);
  });

  it('dead-letters a message Centrifugo rejects (unknown channel) at once and goes on', async () => {
    const channel = await start({
      channel: (msg) => (msg.key === 'bad' ? 'unknownns:x' : `sensors:${msg.key}`),
    });
    await channel.produceMany(dataset, [
      { key: 'bad', value: { n: 1 } },
      { key: 'good', value: { n: 2 } },
    ]);
    await waitFor(() => deadLetters().length === 1);
    await waitFor(async () => (await history('sensors:good')).length === 1);
    const [dead] = deadLetters();
    expect(dead.key).toBe('bad');
    expect(dead.headers[DatabusHeaders.ERROR_NAME]).toBe('ApiResponseError');
    expect(dead.headers[DatabusHeaders.ERROR_MESSAGE]).toContain('#102');
    expect(dead.headers[DatabusHeaders.ATTEMPTS]).toBe('1');
  });

  it('dead-letters a body that is not JSON without retrying', async () => {
    const channel = await start();
    await channel.produce(dataset, Buffer.from('not json {'), { key: 'raw' });
    await waitFor(() => deadLetters().length === 1);
    expect(deadLetters()[0].headers[DatabusHeaders.ERROR_NAME]).toBe('PayloadDecodeError');
    expect(deadLetters()[0].headers[DatabusHeaders.ATTEMPTS]).toBe('1');
  });

  it('retries a publish that failed temporarily (HTTP 500) and delivers it once', async () => {
    const channel = await start();
    fake.failNext({ kind: 'status', status: 500, body: 'Internal Server Error' }, 1, 'batch');
    await channel.produce(dataset, { n: 1 }, { key: 'retry' });
    await waitFor(async () => (await history('sensors:retry')).length === 1);
    expect(await history('sensors:retry')).toEqual([{ n: 1 }]);
    const attempts = batchCalls().filter((c) => JSON.stringify(c.body).includes('sensors:retry'));
    expect(attempts).toHaveLength(2);
    expect(deadLetters()).toHaveLength(0);
  });

  it('dead-letters after the last attempt when Centrifugo keeps failing, with the error in the headers', async () => {
    const channel = await start();
    fake.failNext({ kind: 'status', status: 503, body: 'Service Unavailable' }, FAST_RETRY.attempts, 'batch');
    await channel.produce(dataset, { n: 1 }, { key: 'down' });
    await waitFor(() => deadLetters().length === 1);
    const [dead] = deadLetters();
    expect(dead.headers[DatabusHeaders.ERROR_NAME]).toBe('TransportError');
    expect(dead.headers[DatabusHeaders.ATTEMPTS]).toBe(String(FAST_RETRY.attempts));
    expect(dead.headers[DatabusHeaders.ERROR_MESSAGE]).not.toContain(API_KEY);
  });

  it('dead-letters a message whose channel function returns nothing', async () => {
    const channel = await start({ channel: () => '' });
    await channel.produce(dataset, { n: 1 });
    await waitFor(() => deadLetters().length === 1);
    expect(deadLetters()[0].headers[DatabusHeaders.ERROR_NAME]).toBe('ConfigurationError');
  });

  it('lets an in-flight publish finish when the application closes', async () => {
    const channel = await start();
    fake.failNext({ kind: 'delay', ms: 200 }, 1, 'batch');
    await channel.produce(dataset, { n: 1 }, { key: 'closing' });
    await waitFor(() => batchCalls().some((c) => JSON.stringify(c.body).includes('sensors:closing')));
    const client = app!.get(CentrifugoClient);
    await app!.close();
    app = undefined;
    const reader = new CentrifugoClient({ apiUrl: fake.apiUrl, apiKey: API_KEY });
    try {
      const { publications } = await reader.history({ channel: 'sensors:closing', limit: 10 });
      expect(publications.map((p) => p.data)).toEqual([{ n: 1 }]);
    } finally {
      reader.close();
    }
    await expect(client.info()).rejects.toThrow('CentrifugoClient is closed');
  });

  it('rejects bad options when the module is declared', () => {
    expect(() => RealtimeBridgeModule.forFeature({ dataset: '', channel: () => 'x' })).toThrow(
      'RealtimeBridgeModule.forFeature.dataset',
    );
    expect(() => RealtimeBridgeModule.forFeature({ dataset: 'd', channel: 'x' as never })).toThrow(
      'RealtimeBridgeModule.forFeature.channel',
    );
    expect(() => RealtimeBridgeModule.forFeature({ dataset: 'd', channel: () => 'x', batch: 0 })).toThrow(
      'RealtimeBridgeModule.forFeature.batch',
    );
  });
});
