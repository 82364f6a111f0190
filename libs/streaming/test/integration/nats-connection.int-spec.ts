import {
  AuthenticationError,
  BrokerCredentials,
  CredentialsProvider,
  parseBrokerUrl,
  TemporaryError,
} from '@databus/common';
import { describeWithBroker, waitFor } from '@databus/testing';
import { Offset, StreamingModule, TransportStatus } from '@databus/streaming';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Test } from '@nestjs/testing';
import { NatsTransport, natsTransportFactory } from '../../src/transports/nats';
import { natsContext, PrivateNatsServer, startPrivateNatsServer } from './nats-test-kit';

/** A provider whose credentials the test swaps, like a JWT manager refreshing a token. */
function swappable(
  initial: BrokerCredentials,
): CredentialsProvider & { set(c: BrokerCredentials, principalChanged?: boolean): void } {
  let current = initial;
  const listeners = new Set<Parameters<CredentialsProvider['onRefresh']>[0]>();
  return {
    get: async () => current,
    current: () => current,
    onRefresh: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    set: (c, principalChanged = false) => {
      current = c;
      for (const listener of listeners) listener(c, { principalChanged });
    },
  };
}

const record = (i: number) => ({ headers: {}, data: Buffer.from(JSON.stringify({ i })) });

describeWithBroker('nats', 'nats connection: credentials, status events, reconnect', () => {
  jest.setTimeout(30_000);
  let server: PrivateNatsServer | undefined;
  let transport: NatsTransport | undefined;
  afterEach(async () => {
    await transport?.close();
    transport = undefined;
    await server?.dispose();
    server = undefined;
  });

  it('presents the token current() holds at connect, and the refreshed one when it reconnects', async () => {
    server = await startPrivateNatsServer(['--auth', 'token-one']);
    const credentials = swappable({ token: 'token-one' });
    const statuses: TransportStatus['type'][] = [];
    transport = natsTransportFactory(
      natsContext({ url: parseBrokerUrl(server.url()), credentials, produceTimeoutMs: 20_000 }),
    );
    transport.onStatus((s) => statuses.push(s.type));
    await transport.connect();
    await transport.produce('auth-ds', [record(1)]);

    // The token is rotated: the server now only accepts the new one, and so does the provider.
    await server.stop();
    credentials.set({ token: 'token-two' });
    await server.start(['--auth', 'token-two']);
    const [after] = await transport.produce('auth-ds', [record(2)]);
    expect(after.sequence).toBe(2);
    expect(statuses).toEqual(
      expect.arrayContaining(['connecting', 'connected', 'disconnected', 'reconnecting']),
    );
    expect(statuses[statuses.length - 1]).toBe('connected');
    await transport.close();
    expect(transport.status.type).toBe('closed');
  });

  it('reconnects at once with the new identity when a refresh changes the principal', async () => {
    const config = join(await mkdtemp(join(tmpdir(), 'databus-nats-conf-')), 'users.conf');
    await writeFile(
      config,
      'authorization { users: [ { user: alice, password: a-secret }, { user: bob, password: b-secret } ] }\n',
    );
    server = await startPrivateNatsServer(['-c', config]);
    const credentials = swappable({ username: 'alice', password: 'a-secret', principal: 'alice' });
    const statuses: TransportStatus['type'][] = [];
    transport = natsTransportFactory(natsContext({ url: parseBrokerUrl(server.url()), credentials }));
    await transport.connect();
    transport.onStatus((s) => statuses.push(s.type));
    credentials.set({ username: 'bob', password: 'b-secret', principal: 'bob' }, true);
    await waitFor(() => statuses.includes('disconnected') && transport?.status.type === 'connected', {
      message: 'the forced reconnect',
    });
    const [landed] = await transport.produce('principal', [record(1)]);
    expect(landed.sequence).toBe(1);
    await rm(dirname(config), { recursive: true, force: true });
  });

  it('fails to connect with AuthenticationError on a wrong token, without the token in the message', async () => {
    server = await startPrivateNatsServer(['--auth', 'right-token']);
    transport = natsTransportFactory(
      natsContext({
        url: parseBrokerUrl(server.url()),
        credentials: swappable({ token: 'wrong-token-xyz' }),
      }),
    );
    const error = await transport.connect().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as Error).message).not.toContain('wrong-token-xyz');
  });

  it('takes user and password from the URL through StreamingModule', async () => {
    server = await startPrivateNatsServer(['--user', 'svc', '--pass', 'p@ss:w0rd']);
    const module = await Test.createTestingModule({
      imports: [StreamingModule.forRoot({ url: server.url('svc:p%40ss%3Aw0rd'), logger: false })],
    }).compile();
    await module.init();
    try {
      const { ChannelService } = await import('@databus/streaming');
      const channel = module.get(ChannelService);
      const sub = await channel.subscribe('userpass', { offset: Offset.BEGIN, batch: 1 });
      await channel.produce('userpass', { hello: 'nats' });
      const iterator = sub[Symbol.asyncIterator]();
      const first = await iterator.next();
      expect(first.value.json()).toEqual({ hello: 'nats' });
      await sub.close();
    } finally {
      await module.close();
    }
  });

  it('a produce during an outage waits for the broker, and fails with TemporaryError after produceTimeoutMs', async () => {
    server = await startPrivateNatsServer([]);
    transport = natsTransportFactory(
      natsContext({ url: parseBrokerUrl(server.url()), produceTimeoutMs: 4000 }),
    );
    await transport.connect();
    await transport.produce('outage', [record(0)]);
    await server.stop();
    await waitFor(() => transport?.status.type !== 'connected', { message: 'the disconnect' });
    const started = Date.now();
    const failure = transport.produce('outage', [record(1)]);
    await expect(failure).rejects.toBeInstanceOf(TemporaryError);
    await expect(failure).rejects.toThrow(/within StreamingModule\.produceTimeoutMs = 4000 ms/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(3000);

    // Within the budget, the produce waits and lands once the server is back.
    const waiting = transport.produce('outage', [record(2)]);
    await new Promise((r) => setTimeout(r, 300));
    await server.start([]);
    const [landed] = await waiting;
    expect(landed.sequence).toBeGreaterThanOrEqual(2);
  });

  it('an unreachable server is a TemporaryError at connect; close during an outage does not hang', async () => {
    const unreachable = natsTransportFactory(natsContext({ url: parseBrokerUrl('nats://127.0.0.1:1') }));
    await expect(unreachable.connect()).rejects.toBeInstanceOf(TemporaryError);
    await unreachable.close();

    server = await startPrivateNatsServer([]);
    transport = natsTransportFactory(natsContext({ url: parseBrokerUrl(server.url()) }));
    await transport.connect();
    const group = await transport.subscribe({
      dataset: 'outage-close',
      group: 'g',
      start: Offset.BEGIN,
      prefetch: 5,
      groupExpiryMs: 60_000,
    });
    const priv = await transport.subscribe({
      dataset: 'outage-close',
      start: Offset.BEGIN,
      prefetch: 5,
      groupExpiryMs: 60_000,
    });
    expect(await priv.fetch(1, 100)).toEqual([]);
    await server.stop();
    await waitFor(() => transport?.status.type !== 'connected', { message: 'the disconnect' });
    const started = Date.now();
    await Promise.all([group.close(), priv.close()]);
    await transport.close();
    expect(Date.now() - started).toBeLessThan(6000);
    expect(transport.status.type).toBe('closed');
  });
});
