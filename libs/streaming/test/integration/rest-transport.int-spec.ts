import { rm } from 'node:fs/promises';
import { readFile } from 'node:fs/promises';
import {
  AuthenticationError,
  ConsumerError,
  loadTlsMaterial,
  parseBrokerUrl,
  PermanentError,
  resolveBackoff,
  staticCredentials,
  TemporaryError,
  UnsupportedFeatureError,
} from '@databus/common';
import { JwtManager, jwtCredentials } from '@databus/auth';
import { waitFor } from '@databus/testing';
import { Offset, RECORDS_CONTENT_TYPE, StreamingTransport } from '@databus/streaming';
import { TransportContext } from '../../src/transport/transport.interface';
import { RestStreamingTransport } from '../../src/transports/rest';
import { fakeServiceLogin, FakeStreamingService } from '../fakes/fake-streaming-service';
import { dataset, startApp } from '../conformance/harness';
import { generateTestPki, TestPki } from './nats-test-kit';

const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };

function context(fake: FakeStreamingService, overrides: Partial<TransportContext> = {}): TransportContext {
  return {
    url: parseBrokerUrl(fake.transportUrl),
    secure: fake.transportUrl.startsWith('rest+https'),
    clientId: 'rest-test',
    transportOptions: { pollIntervalMs: 20 },
    reconnect: resolveBackoff({ initialMs: 20, maxMs: 200 }, 'reconnect'),
    produceTimeoutMs: 5_000,
    logger: quiet,
    ...overrides,
  };
}

const spec = (ds: string, group?: string) => ({
  dataset: ds,
  group,
  start: Offset.BEGIN,
  prefetch: 50,
  groupExpiryMs: 3600_000,
  consumerConfig: { sessionTimeoutMs: 30_000, requestTimeoutMs: 45_000, 'fetch.min.bytes': 1 },
});

describe('rest transport against the fake streaming service (wire)', () => {
  let fake: FakeStreamingService;
  let login: JwtManager;
  let transport: RestStreamingTransport;

  beforeEach(async () => {
    fake = await FakeStreamingService.start({ rotateEvery: 7 });
    login = fakeServiceLogin(fake);
    transport = new RestStreamingTransport(context(fake, { credentials: jwtCredentials(login) }));
    await transport.connect();
  });
  afterEach(async () => {
    await transport.close();
    await login.close();
    await fake.close();
  });

  it('creates a consumer with group and configs, keeps its sticky cookie, commits what was consumed', async () => {
    const ds = dataset('wire');
    await transport.produce(ds, [{ key: 'k', headers: { origin: 'test' }, data: Buffer.from('{"n":1}') }]);
    const sub = await transport.subscribe(spec(ds, 'wire-group'));
    const records = await sub.fetch(10, 2_000);
    expect(records.map((r) => r.data.toString())).toEqual(['{"n":1}']);
    expect(records[0]).toMatchObject({ key: 'k', headers: { origin: 'test' }, sequence: 0 });
    await sub.ack(records);

    const create = fake.requests.find((r) => r.path.endsWith('/consumers') && r.status === 200)!;
    expect(JSON.parse(create.body)).toEqual({
      consumerGroup: 'wire-group',
      configs: {
        'session.timeout.ms': '30000',
        'request.timeout.ms': '45000',
        'fetch.min.bytes': '1',
        'enable.auto.commit': 'false',
        'auto.offset.reset': 'earliest',
      },
    });
    const [consumer] = [...fake.log.consumers.values()];
    const consumerCalls = fake.requests.filter((r) => r.path.includes(`/consumers/${consumer.id}`));
    expect(consumerCalls.length).toBeGreaterThan(2);
    for (const call of consumerCalls) expect(call.headers.cookie).toBe(`AWSALB=${consumer.cookie}`);
    const commit = fake.requests.find((r) => r.path.endsWith('/offsets'))!;
    expect(JSON.parse(commit.body)).toEqual({
      offsets: [{ topic: ds, partition: records[0].partition, offset: 0 }],
    });
    const produce = fake.requests.find((r) => r.path === '/databus/cloudproxy/v1/produce')!;
    expect(produce.headers['content-type']).toBe(RECORDS_CONTENT_TYPE);
    expect(JSON.parse(produce.body).records[0]).toEqual({
      routingData: { topic: ds, shardingKey: 'k' },
      message: { headers: { origin: 'test' }, payload: Buffer.from('{"n":1}').toString('base64') },
    });
    // Committed: a new consumer of the group gets nothing again.
    await sub.close();
    const again = await transport.subscribe(spec(ds, 'wire-group'));
    expect(await again.fetch(10, 200)).toEqual([]);
    await again.close();
    expect(fake.log.consumers.size).toBe(0);
  });

  it('names the last refusal, not the cut, when produceTimeoutMs ends a produce the service stalls', async () => {
    await transport.close();
    transport = new RestStreamingTransport(
      context(fake, { credentials: jwtCredentials(login), produceTimeoutMs: 400 }),
    );
    await transport.connect();
    // two refusals, then a call the service never answers: the deadline cuts that one short
    fake.produceFaults.push(503, 503, 'hang');
    const error = await transport
      .produce('orders', [{ headers: {}, data: Buffer.from('a') }])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TemporaryError);
    expect((error as Error).message).toMatch(
      /^Gave up after \d+ attempts within StreamingModule\.produceTimeoutMs = 400 ms: Producing to "orders": the streaming service answered HTTP 503 \(Service unavailable\)\.$/,
    );
  });

  it('logs in again once when a token is refused (401/403), and goes on', async () => {
    const ds = dataset('rotate');
    const sub = await transport.subscribe(spec(ds, 'g'));
    const got: string[] = [];
    for (let i = 0; i < 12; i++) {
      await transport.produce(ds, [{ headers: {}, data: Buffer.from(String(i)) }]);
      while (got.length <= i) {
        const batch = await sub.fetch(3, 1_000);
        got.push(...batch.map((r) => r.data.toString()));
        await sub.ack(batch);
      }
    }
    expect(got.sort((a, b) => Number(a) - Number(b))).toEqual(
      Array.from({ length: 12 }, (_, i) => String(i)),
    );
    expect(fake.counts.rotations).toBeGreaterThan(0);
    expect(fake.counts.logins).toBe(1 + fake.counts.rotations);
    expect(fake.counts.cookieRefusals).toBe(0);
    await sub.close();
  });

  it('rejects a fetch with ConsumerError when the service forgot the consumer (404)', async () => {
    const sub = await transport.subscribe(spec(dataset('gone'), 'g'));
    for (const id of fake.log.consumers.keys()) fake.dropConsumer(id);
    await expect(sub.fetch(1, 100)).rejects.toThrow(ConsumerError);
    await expect(sub.fetch(1, 100)).rejects.toThrow(
      /Reading records of "gone-.*": the streaming service answered HTTP 404 \(Unknown consumer\)/,
    );
    await sub.close();
  });

  it('refuses seek and request/response up front, as its capabilities declare', async () => {
    expect(transport.capabilities).toMatchObject({
      seek: false,
      seekBySequence: false,
      seekByTime: false,
      requestReply: false,
    });
    const sub = await transport.subscribe(spec(dataset('caps'), 'g'));
    await expect(sub.seek(Offset.BEGIN)).rejects.toThrow(UnsupportedFeatureError);
    await expect(sub.seek(Offset.BEGIN)).rejects.toThrow(
      'The rest transport does not support seek: the streaming service has no seek',
    );
    await sub.close();
    const spi: StreamingTransport = transport;
    await expect(spi.request('x', { headers: {}, data: Buffer.from('') }, 100)).rejects.toThrow(
      'The rest transport does not support request/response: request("x"): the streaming service has no reply address',
    );
  });

  it('fails with AuthenticationError when fixed credentials are refused (nothing to renew)', async () => {
    const fixed = new RestStreamingTransport(
      context(fake, { credentials: staticCredentials({ token: 'wrong' }) }),
    );
    try {
      await expect(fixed.subscribe(spec(dataset('fixed'), 'g'))).rejects.toThrow(AuthenticationError);
      await expect(fixed.subscribe(spec(dataset('fixed'), 'g'))).rejects.toThrow(
        'POST /databus/consumer-service/v1/consumers: the streaming service refused the token (HTTP 403) and these credentials cannot be renewed.',
      );
    } finally {
      await fixed.close();
    }
  });
});

describe('rest transport through ChannelService on the fake service', () => {
  let fake: FakeStreamingService;
  let login: JwtManager;
  beforeAll(async () => {
    fake = await FakeStreamingService.start({ rotateEvery: 25 });
    login = fakeServiceLogin(fake);
    await login.start();
  });
  afterAll(async () => {
    await login.close();
    await fake.close();
  });
  const options = () => ({ credentials: jwtCredentials(login), transportOptions: { pollIntervalMs: 20 } });

  it('replaces a consumer the service forgot (404) with a new one and re-subscribes, with retryOnFail', async () => {
    const app = await startApp({ name: 'rest', url: () => fake.transportUrl }, fake.transportUrl, {
      options: options(),
    });
    const ds = dataset('recreate');
    const channel = app.channel.open({ group: 'g-recreate', datasets: ds, maxWaitMs: 200 });
    try {
      await channel.create();
      const [first] = [...fake.log.consumers.values()].filter((c) => c.group === 'g-recreate');
      await app.channel.produce(ds, { i: 0 });
      expect((await channel.consume()).map((m) => m.json())).toEqual([{ i: 0 }]);
      await channel.commit();
      fake.dropConsumer(first.id);
      await app.channel.produce(ds, { i: 1 });
      const got = await waitFor(
        async () => {
          const batch = await channel.consume();
          return batch.length ? batch : undefined;
        },
        { timeoutMs: 10_000, message: 'the message after the consumer was recreated' },
      );
      expect(got.map((m) => m.json())).toEqual([{ i: 1 }]);
      const current = [...fake.log.consumers.values()].filter((c) => c.group === 'g-recreate');
      expect(current).toHaveLength(1);
      expect(current[0].id).not.toBe(first.id);
      expect(current[0].topics).toEqual([ds]);
    } finally {
      await channel.destroy();
      await app.close();
    }
  });

  it('delete() removes the consumer from the service and keeps the channel usable', async () => {
    const app = await startApp({ name: 'rest', url: () => fake.transportUrl }, fake.transportUrl, {
      options: options(),
    });
    const ds = dataset('delete');
    const group = 'g-delete';
    const members = () => [...fake.log.consumers.values()].filter((c) => c.group === group);
    const channel = app.channel.open({ group, datasets: ds, maxWaitMs: 200 });
    try {
      await channel.create();
      const [first] = members();
      await channel.delete();
      expect(members()).toEqual([]);
      expect(
        fake.requests.some((r) => r.method === 'DELETE' && r.path.endsWith(`/consumers/${first.id}`)),
      ).toBe(true);
      await app.channel.produce(ds, { i: 7 });
      expect((await channel.consume()).map((m) => m.json())).toEqual([{ i: 7 }]);
      expect(members()).toHaveLength(1);
    } finally {
      await channel.destroy();
      await app.close();
    }
  });

  it('surfaces the lost consumer as ConsumerError without retryOnFail', async () => {
    const app = await startApp({ name: 'rest', url: () => fake.transportUrl }, fake.transportUrl, {
      options: options(),
    });
    const ds = dataset('noretry');
    const channel = app.channel.open({
      group: 'g-noretry',
      datasets: ds,
      maxWaitMs: 100,
      retryOnFail: false,
    });
    try {
      await channel.create();
      for (const c of [...fake.log.consumers.values()].filter((c) => c.group === 'g-noretry'))
        fake.dropConsumer(c.id);
      await expect(channel.consume()).rejects.toThrow(ConsumerError);
    } finally {
      await channel.destroy();
      await app.close();
    }
  });

  it('refuses request() and a seek through the channel API with UnsupportedFeatureError', async () => {
    const app = await startApp({ name: 'rest', url: () => fake.transportUrl }, fake.transportUrl, {
      options: options(),
    });
    try {
      await expect(app.channel.request('rpc', { i: 1 }, { timeoutMs: 1_000 })).rejects.toThrow(
        UnsupportedFeatureError,
      );
      const sub = await app.channel.subscribe(dataset('seek'), { group: 'g-seek' });
      await expect(sub.seek(Offset.sequence(3))).rejects.toThrow('The rest transport does not support seek');
      await sub.close();
    } finally {
      await app.close();
    }
  });
});

describe('rest transport over HTTPS', () => {
  let pki: TestPki;
  let fake: FakeStreamingService;
  beforeAll(async () => {
    pki = await generateTestPki();
    fake = await FakeStreamingService.start({
      rotateEvery: 0,
      tls: { cert: await readFile(pki.serverCert), key: await readFile(pki.serverKey) },
    });
  });
  afterAll(async () => {
    await fake.close();
    await rm(pki.dir, { recursive: true, force: true });
  });

  it('verifies the service against the CA bundle; without it, fails with PermanentError naming tls.ca', async () => {
    const login = fakeServiceLogin(fake, { tls: { ca: pki.ca } });
    const trusted = new RestStreamingTransport(
      context(fake, { tls: loadTlsMaterial({ ca: pki.ca }, 'tls'), credentials: jwtCredentials(login) }),
    );
    const untrusted = new RestStreamingTransport(context(fake, { credentials: jwtCredentials(login) }));
    try {
      await trusted.connect();
      await trusted.produce('tls-ds', [{ headers: {}, data: Buffer.from('1') }]);
      expect(fake.log.records('tls-ds')).toHaveLength(1);
      await expect(untrusted.produce('tls-ds', [{ headers: {}, data: Buffer.from('2') }])).rejects.toThrow(
        PermanentError,
      );
      await expect(untrusted.produce('tls-ds', [{ headers: {}, data: Buffer.from('2') }])).rejects.toThrow(
        /certificate of the streaming service is not trusted \(.+\); check tls.ca/,
      );
    } finally {
      await trusted.close();
      await untrusted.close();
      await login.close();
    }
  });
});
