import {
  BrokerCredentials,
  CredentialsProvider,
  parseBrokerUrl,
  resolveBackoff,
  staticCredentials,
} from '@databus/common';
import { TransportContext } from '../../transport/transport.interface';
import { credentialsAuthenticator, natsConnectOptions, natsServers } from './nats-connect-options';
import { resolveNatsOptions } from './nats.options';

const context = (url: string, extra: Partial<TransportContext> = {}): TransportContext => ({
  url: parseBrokerUrl(url),
  secure: url.startsWith('tls:'),
  clientId: 'c',
  transportOptions: {},
  reconnect: resolveBackoff({ initialMs: 10, maxMs: 100, jitter: 0 }, 'reconnect'),
  produceTimeoutMs: 1000,
  logger: { log: jest.fn(), warn: jest.fn(), error: jest.fn(), debug: jest.fn() },
  ...extra,
});

function provider(
  initial: BrokerCredentials | undefined,
): CredentialsProvider & { set(c?: BrokerCredentials): void } {
  let current = initial;
  return {
    get: async () => current as BrokerCredentials,
    current: () => current,
    onRefresh: () => () => undefined,
    set: (c) => (current = c),
  };
}

describe('nats connect options', () => {
  it('gives every host of a cluster URL to the client', () => {
    expect(natsServers(context('nats://n1:4222,n2,[::1]:4333'))).toEqual([
      'n1:4222',
      'n2:4222',
      '[::1]:4333',
    ]);
  });

  it('reconnects forever with the module backoff, counting attempts since the last connect', () => {
    const attempt = { count: 0, delayMs: 0 };
    const o = natsConnectOptions(context('nats://h'), resolveNatsOptions({}), attempt);
    expect(o.maxReconnectAttempts).toBe(-1);
    expect(o.reconnect).toBe(true);
    expect([1, 2, 3, 4, 5].map(() => o.reconnectDelayHandler?.())).toEqual([10, 20, 40, 80, 100]);
    expect(attempt).toEqual({ count: 5, delayMs: 100 });
    expect(o.authenticator).toBeUndefined();
    expect(o.tls).toBeUndefined();
  });

  it('does not capture an async stack trace per request (two Error objects per JetStream publish)', () => {
    const o = natsConnectOptions(context('nats://h'), resolveNatsOptions({}), { count: 0, delayMs: 0 });
    expect(o.noAsyncTraces).toBe(true);
  });

  it('turns TLS on for tls:// with verification on by default, and passes the loaded material', () => {
    const o = natsConnectOptions(context('tls://h:4443'), resolveNatsOptions({}), { count: 0, delayMs: 0 });
    expect(o.tls).toMatchObject({ rejectUnauthorized: true });
    const ca = [Buffer.from('CA')];
    const withCa = natsConnectOptions(
      context('nats://h', { tls: { ca, rejectUnauthorized: false, servername: 'broker' } }),
      resolveNatsOptions({}),
      { count: 0, delayMs: 0 },
    );
    expect(withCa.tls).toMatchObject({ ca, rejectUnauthorized: false, servername: 'broker' });
  });

  it('presents the token current() holds at each (re)connect', () => {
    const p = provider({ token: 't1' });
    const auth = credentialsAuthenticator(p);
    expect(auth()).toEqual({ auth_token: 't1' });
    p.set({ token: 't2' });
    expect(auth()).toEqual({ auth_token: 't2' });
    p.set(undefined); // expired: the last one seen is presented, the server decides
    expect(auth()).toEqual({ auth_token: 't2' });
  });

  it('presents a NATS user JWT as jwt with an empty signature (bearer user JWT)', () => {
    expect(
      credentialsAuthenticator(staticCredentials({ natsUserJwt: 'eyJ.user.jwt', token: 't' }))(),
    ).toEqual({
      jwt: 'eyJ.user.jwt',
      sig: '',
    });
  });

  it('presents user and password (from the URL or credentials)', () => {
    expect(credentialsAuthenticator(staticCredentials({ username: 'u', password: 'p' }))()).toEqual({
      user: 'u',
      pass: 'p',
    });
    expect(credentialsAuthenticator(staticCredentials({ password: 'secret' }))()).toEqual({
      auth_token: 'secret',
    });
    expect(credentialsAuthenticator(provider(undefined))()).toBeUndefined();
  });
});
