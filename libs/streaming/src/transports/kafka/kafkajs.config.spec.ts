import {
  BrokerCredentials,
  ConfigurationError,
  CredentialsProvider,
  parseBrokerUrl,
  staticCredentials,
} from '@databus/common';
import { resolveKafkaOptions } from './kafka.options';
import { buildKafkaConfig, oauthBearerProvider, sslOptions } from './kafkajs.config';
import { recordingLogger, testContext } from './testing/fake-kafka.helpers';

/** A provider like the auth lib's: a cached token, refreshed in the background. */
function tokenProvider(token: string | undefined, fetched = 'fetched-token') {
  let listener: ((c: BrokerCredentials) => void) | undefined;
  let cached: BrokerCredentials | undefined = token ? { token } : undefined;
  const provider: CredentialsProvider & { get: jest.Mock; refresh(next: BrokerCredentials): void } = {
    get: jest.fn(async () => (cached ??= { token: fetched })),
    current: () => cached,
    onRefresh: (l) => {
      listener = l as typeof listener;
      return () => (listener = undefined);
    },
    refresh(next) {
      cached = next;
      listener?.(next);
    },
  };
  return provider;
}

describe('buildKafkaConfig', () => {
  const build = (over: Parameters<typeof testContext>[0] = {}) => {
    const context = testContext(over);
    return buildKafkaConfig(context, resolveKafkaOptions(context.transportOptions, context.url.query));
  };

  it('gives every broker of a cluster URL to the client (default port 9092, IPv6 in brackets)', async () => {
    const { config } = await build({ url: parseBrokerUrl('kafka://b1:9092,b2,[::1]:9094'), clientId: 'svc' });
    expect(config.brokers).toEqual(['b1:9092', 'b2:9092', '[::1]:9094']);
    expect(config.clientId).toBe('svc');
    expect(config.ssl).toBeUndefined();
    expect(config.sasl).toBeUndefined();
  });

  it('uses TLS material from context.tls when secure, verification on unless insecure', async () => {
    const tls = {
      ca: [Buffer.from('ca')],
      cert: Buffer.from('c'),
      key: Buffer.from('k'),
      rejectUnauthorized: true,
    };
    const { config } = await build({ secure: true, tls });
    expect(config.ssl).toEqual({ ca: tls.ca, cert: tls.cert, key: tls.key, rejectUnauthorized: true });
    expect((await build({ secure: true })).config.ssl).toBe(true);
    expect(
      sslOptions({
        pfx: Buffer.from('p'),
        passphrase: 'pw',
        servername: 'kafka.internal',
        rejectUnauthorized: false,
      }),
    ).toEqual({
      pfx: Buffer.from('p'),
      passphrase: 'pw',
      servername: 'kafka.internal',
      rejectUnauthorized: false,
    });
  });

  it('uses SASL PLAIN from the URL user and password, and warns when TLS is off', async () => {
    const url = parseBrokerUrl('kafka://alice:s3cret@b1:9092');
    const logger = recordingLogger();
    const { config, mechanism } = await build({
      url,
      credentials: staticCredentials({ username: 'alice', password: 's3cret' }),
      logger,
    });
    expect(config.sasl).toEqual({ mechanism: 'plain', username: 'alice', password: 's3cret' });
    expect(mechanism).toBe('plain');
    expect(logger.lines.find((l) => l.level === 'warn')?.message).toMatch(/SASL PLAIN without TLS/);
    expect(JSON.stringify(logger.lines)).not.toContain('s3cret');
  });

  it('uses SCRAM from transportOptions.sasl, or from ?sasl= in the URL with the URL credentials', async () => {
    const explicit = await build({
      secure: true,
      transportOptions: { sasl: { mechanism: 'SCRAM-SHA-512', username: 'bob', password: 'pw' } },
    });
    expect(explicit.config.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'bob', password: 'pw' });
    const url = parseBrokerUrl('kafka://carol:pw2@b1?sasl=scram-sha-256');
    const fromUrl = await build({
      url,
      credentials: staticCredentials({ username: 'carol', password: 'pw2' }),
    });
    expect(fromUrl.config.sasl).toEqual({ mechanism: 'scram-sha-256', username: 'carol', password: 'pw2' });
  });

  it('updates a PLAIN password from the credentials provider on refresh (new connections use it)', async () => {
    const provider = tokenProvider(undefined);
    provider.refresh({ username: 'svc', password: 'one' });
    const built = await build({ credentials: provider, transportOptions: { sasl: { mechanism: 'plain' } } });
    provider.refresh({ username: 'svc', password: 'two' });
    expect(built.config.sasl).toMatchObject({ username: 'svc', password: 'two' });
    built.dispose();
    provider.refresh({ username: 'svc', password: 'three' });
    expect(built.config.sasl).toMatchObject({ password: 'two' });
  });

  it('fails with ConfigurationError when SASL needs credentials nobody gave', async () => {
    await expect(build({ transportOptions: { sasl: { mechanism: 'plain' } } })).rejects.toThrow(
      /transportOptions\.sasl/,
    );
    await expect(build({ transportOptions: { sasl: { mechanism: 'oauthbearer' } } })).rejects.toBeInstanceOf(
      ConfigurationError,
    );
  });

  it('picks OAUTHBEARER when the provider gives a token, and fetches a token before the first connection', async () => {
    const provider = tokenProvider(undefined);
    const { config, mechanism } = await build({ secure: true, credentials: provider });
    expect(provider.get).toHaveBeenCalledTimes(1);
    expect(mechanism).toBe('oauthbearer');
    const sasl = config.sasl as { oauthBearerProvider: () => Promise<{ value: string }> };
    expect(await sasl.oauthBearerProvider()).toEqual({ value: 'fetched-token' });
  });

  it('forwards kafkajs logs to the transport logger, errors as warnings, redacted', async () => {
    const logger = recordingLogger();
    const { config } = await build({ logger });
    const log = config.logCreator?.(1);
    log?.({
      namespace: 'Connection',
      level: 1,
      label: 'ERROR',
      log: { message: 'auth Bearer abc.def', timestamp: '' },
    });
    log?.({ namespace: 'Consumer', level: 2, label: 'WARN', log: { message: 'rejoining', timestamp: '' } });
    expect(logger.lines).toEqual([
      { level: 'warn', message: 'kafkajs Connection: auth Bearer [REDACTED]' },
      { level: 'debug', message: 'kafkajs Consumer: rejoining' },
    ]);
    // A refused socket is reported once per connect attempt by the suite, so kafkajs' own line is debug.
    log?.({
      namespace: 'Connection',
      level: 1,
      label: 'ERROR',
      log: { message: 'Connection error', error: 'connect ECONNREFUSED 127.0.0.1:1', timestamp: '' },
    });
    expect(logger.lines[2]).toEqual({
      level: 'debug',
      message: 'kafkajs Connection: Connection error: connect ECONNREFUSED 127.0.0.1:1',
    });
  });
});

describe('oauthBearerProvider', () => {
  it('returns the cached token from current() and never fetches per call when cached', async () => {
    const provider = tokenProvider('cached-jwt');
    const hook = oauthBearerProvider(provider);
    for (let i = 0; i < 3; i++) expect(await hook()).toEqual({ value: 'cached-jwt' });
    expect(provider.get).not.toHaveBeenCalled();
    provider.refresh({ token: 'refreshed-jwt' });
    expect(await hook()).toEqual({ value: 'refreshed-jwt' });
    expect(provider.get).not.toHaveBeenCalled();
  });

  it('calls get() only when nothing usable is cached', async () => {
    const provider = tokenProvider(undefined, 'late-jwt');
    expect(await oauthBearerProvider(provider)()).toEqual({ value: 'late-jwt' });
    expect(provider.get).toHaveBeenCalledTimes(1);
  });

  it('fails with an AuthenticationError when there is no token, without echoing secrets', async () => {
    const provider: CredentialsProvider = {
      get: async () => ({}),
      current: () => undefined,
      onRefresh: () => () => undefined,
    };
    await expect(oauthBearerProvider(provider)()).rejects.toThrow(
      'The credentials provider gave no token for SASL OAUTHBEARER.',
    );
  });
});
