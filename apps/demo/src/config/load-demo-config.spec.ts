import { ConfigurationError } from '@databus/common';
import { brokerTls } from './broker-tls';
import { loadDemoConfig } from './load-demo-config';

describe('loadDemoConfig', () => {
  it('runs with no broker and no gateway by default', () => {
    const config = loadDemoConfig({});
    expect(config).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      apiBaseUrl: 'http://127.0.0.1:3000',
      streamingUrl: 'memory://demo',
      queueUrl: 'memory://demo',
      simulator: { enabled: true, intervalMs: 1000 },
      auth: { strategy: 'password', tokenTtlSeconds: 60, tokenUrl: undefined, issuerPort: 0 },
      tls: {},
      centrifugo: undefined,
    });
    expect(config.simulator.sensors.length).toBeGreaterThan(0);
  });

  it('reads one variable per connection', () => {
    const config = loadDemoConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      STREAMING_URL: 'nats://127.0.0.1:4222',
      QUEUE_URL: 'amqp://guest:guest@127.0.0.1:5672',
      SIMULATOR: 'off',
      SIMULATOR_SENSORS: 'a, b',
      AUTH_TOKEN_TTL_SECONDS: '2',
      AUTH_STRATEGY: 'mtls',
      TLS_CA_FILE: '/ca.pem',
      CENTRIFUGO_API_URL: 'http://localhost:8000/api',
      CENTRIFUGO_API_KEY: 'key',
    });
    expect(config).toMatchObject({
      port: 8080,
      apiBaseUrl: 'http://127.0.0.1:8080',
      streamingUrl: 'nats://127.0.0.1:4222',
      queueUrl: 'amqp://guest:guest@127.0.0.1:5672',
      simulator: { enabled: false, sensors: ['a', 'b'] },
      auth: { tokenTtlSeconds: 2, strategy: 'mtls' },
      tls: { ca: '/ca.pem' },
      centrifugo: { apiUrl: 'http://localhost:8000/api', channel: 'notifications' },
    });
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ AUTH_TOKEN_TTL_SECONDS: '0' }, 'AUTH_TOKEN_TTL_SECONDS'],
    [{ AUTH_STRATEGY: 'kerberos' }, 'AUTH_STRATEGY'],
    [{ SIMULATOR: 'maybe' }, 'SIMULATOR'],
    [{ SIMULATOR_SENSORS: 'a/b' }, 'SIMULATOR_SENSORS'],
    [{ AUTH_TOKEN_URL: 'https://gw.example/token' }, 'AUTH_JWKS_URL'],
    [{ API_BASE_URL: 'ftp://x' }, 'API_BASE_URL'],
    [{ TLS_CERT_FILE: '/c.pem' }, 'TLS_CERT_FILE'],
    [{ CENTRIFUGO_API_URL: 'http://localhost:8000/api' }, 'CENTRIFUGO_API_KEY'],
  ])('refuses %p naming %s', (env, name) => {
    expect(() => loadDemoConfig(env)).toThrow(ConfigurationError);
    expect(() => loadDemoConfig(env)).toThrow(name);
  });

  it('never puts a password into an error message', () => {
    try {
      loadDemoConfig({ AUTH_TOKEN_URL: 'https://user:s3cret@gw.example/token' });
      throw new Error('expected a ConfigurationError');
    } catch (error) {
      expect(String((error as Error).message)).not.toContain('s3cret');
    }
  });
});

describe('brokerTls', () => {
  const files = { ca: '/ca.pem', cert: '/c.pem', key: '/c.key' };

  it('gives the TLS_* files to TLS schemes only', () => {
    expect(brokerTls('amqps://h', files)).toEqual(files);
    expect(brokerTls('mqtts://h', files)).toEqual(files);
    expect(brokerTls('kafka+ssl://h:9093', files)).toEqual(files);
    expect(brokerTls('amqp://h', files)).toBeUndefined();
    expect(brokerTls('nats://h:4222', files)).toBeUndefined();
    expect(brokerTls('memory://demo', files)).toBeUndefined();
  });

  it('gives nothing when no file is configured', () => {
    expect(brokerTls('amqps://h', {})).toBeUndefined();
  });

  it('names the stats queue and the two exchanges from the environment, with the defaults of the course', () => {
    expect(loadDemoConfig({}).names).toEqual({
      statsQueue: 'stats',
      notificationsExchange: 'notifications',
      logsExchange: 'logs',
    });
    expect(
      loadDemoConfig({
        STATS_QUEUE: 'hub2.stats',
        NOTIFICATIONS_EXCHANGE: 'hub2.notes',
        LOGS_EXCHANGE: 'hub2.logs',
      }).names,
    ).toEqual({ statsQueue: 'hub2.stats', notificationsExchange: 'hub2.notes', logsExchange: 'hub2.logs' });
  });

  it('refuses a queue name the broker would not take, and one exchange for both kinds of event', () => {
    expect(() => loadDemoConfig({ STATS_QUEUE: 'my stats' })).toThrow(ConfigurationError);
    expect(() => loadDemoConfig({ STATS_QUEUE: 'my stats' })).toThrow(
      'Invalid option "STATS_QUEUE": expected a queue or exchange name of letters, digits, _ . : and - (at most 200), received "my stats".',
    );
    expect(() => loadDemoConfig({ NOTIFICATIONS_EXCHANGE: 'events', LOGS_EXCHANGE: 'events' })).toThrow(
      'Invalid option "LOGS_EXCHANGE": expected an exchange other than NOTIFICATIONS_EXCHANGE, received "events".',
    );
  });

  it('reads the streaming client id (MQTT session ids) from STREAMING_CLIENT_ID', () => {
    expect(loadDemoConfig({}).streamingClientId).toBeUndefined();
    expect(loadDemoConfig({ STREAMING_CLIENT_ID: 'sensor-hub-1' }).streamingClientId).toBe('sensor-hub-1');
  });
});
