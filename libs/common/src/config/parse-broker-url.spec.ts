import { ConfigurationError } from '../errors';
import { parseBrokerUrl, redactUrl } from './parse-broker-url';

/** The error `fn` throws (fails the test when it throws nothing). */
function thrown(fn: () => unknown): ConfigurationError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return error as ConfigurationError;
  }
  throw new Error('expected a ConfigurationError');
}

describe('parseBrokerUrl', () => {
  it('splits a single-broker URL', () => {
    expect(parseBrokerUrl('kafka://localhost:9092')).toEqual({
      scheme: 'kafka',
      hosts: [{ host: 'localhost', port: 9092 }],
      path: '',
      query: {},
    });
  });

  it('reads user, password, vhost path and query, URL-decoding them', () => {
    const url = parseBrokerUrl(
      'AMQPS://svc%40corp:p%3Ass%2Fw@rabbit.internal/%2Fprod?heartbeat=10&frameMax=0',
    );
    expect(url.scheme).toBe('amqps');
    expect(url.username).toBe('svc@corp');
    expect(url.password).toBe('p:ss/w');
    expect(url.hosts).toEqual([{ host: 'rabbit.internal' }]);
    expect(url.path).toBe('/prod');
    expect(url.query).toEqual({ heartbeat: '10', frameMax: '0' });
  });

  it('keeps a password that contains a colon whole (only the first colon splits)', () => {
    expect(parseBrokerUrl('mqtt://user:a:b:c@h').password).toBe('a:b:c');
  });

  it('reads a user without a password, and an empty password', () => {
    const tokenOnly = parseBrokerUrl('nats://token@n1');
    expect(tokenOnly.username).toBe('token');
    expect(tokenOnly.password).toBeUndefined();
    expect(parseBrokerUrl('nats://user:@n1')).toMatchObject({ username: 'user', password: '' });
  });

  it('gives every broker of a comma-separated cluster, with or without ports', () => {
    expect(parseBrokerUrl('kafka://b1:9092,b2:9093, b3 ').hosts).toEqual([
      { host: 'b1', port: 9092 },
      { host: 'b2', port: 9093 },
      { host: 'b3' },
    ]);
    expect(parseBrokerUrl('amqp://u:p@r1,r2:5673/vh').hosts).toEqual([
      { host: 'r1' },
      { host: 'r2', port: 5673 },
    ]);
  });

  it('reads bracketed IPv6 hosts, in clusters too', () => {
    expect(parseBrokerUrl('nats://[::1]:4222,[fe80::1%25eth0],10.0.0.1:4223').hosts).toEqual([
      { host: '::1', port: 4222 },
      { host: 'fe80::1%25eth0' },
      { host: '10.0.0.1', port: 4223 },
    ]);
  });

  it('accepts an embedded URL without hosts', () => {
    expect(parseBrokerUrl('memory://')).toMatchObject({ scheme: 'memory', hosts: [], path: '' });
    expect(parseBrokerUrl('memory:///demo')).toMatchObject({ hosts: [], path: 'demo' });
  });

  it.each(['kafka://b1:0', 'kafka://b1:65536', 'kafka://b1:port', 'kafka://b1:', 'kafka://[::1]:99999'])(
    'rejects the bad port in %s, naming the option',
    (bad) => {
      const error = thrown(() => parseBrokerUrl(bad, 'StreamingModule.url'));
      expect(error.option).toBe('StreamingModule.url');
      expect(error.message).toContain('ports between 1 and 65535');
    },
  );

  it('rejects ports written other than as decimal digits', () => {
    for (const bad of ['kafka://b1:0x50', 'kafka://b1:1e3', 'kafka://b1:+80', 'kafka://b1:80.0'])
      expect(() => parseBrokerUrl(bad)).toThrow(/ports between 1 and 65535/);
  });

  it('rejects an empty host in a cluster list', () => {
    expect(thrown(() => parseBrokerUrl('kafka://:9092')).message).toContain('a host name');
  });

  it('rejects an unbracketed IPv6 address instead of misreading it', () => {
    expect(thrown(() => parseBrokerUrl('nats://::1')).message).toContain('IPv6');
  });

  it.each([undefined, null, '', '   ', 42])('rejects %p as a URL, naming the option', (bad) => {
    const error = thrown(() => parseBrokerUrl(bad as never, 'QUEUE_URL'));
    expect(error.option).toBe('QUEUE_URL');
    expect(error.message).toMatch(/broker URL/);
  });

  it('rejects text that is not a URL', () => {
    expect(thrown(() => parseBrokerUrl('localhost:9092')).expected).toContain('scheme://host');
  });

  describe('never puts the password in an error', () => {
    const secret = 'S3cr3t-Pa55';
    it.each([
      `amqp://guest:${secret}@rabbit:99999`,
      `amqp://guest:${secret}@:5672`,
      `guest:${secret}@rabbit:5672`,
      `amqp://guest:${secret}@rabbit:5672 /vh`,
      `amqp://guest:${secret}@@rabbit:0`,
      `amqp://guest:p@${secret}@rabbit:0`,
      `nats://n1:4222?token=${secret}&x=1&port=`,
    ])('%s', (url) => {
      let message = '';
      try {
        parseBrokerUrl(url, 'url');
        message = 'no error';
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).not.toContain(secret);
      expect(message).not.toContain(secret.slice(0, 6));
    });
  });

  it('parses a password that contains an unencoded @ up to the last @', () => {
    expect(parseBrokerUrl('amqp://guest:p@ss@rabbit:5672')).toMatchObject({
      username: 'guest',
      password: 'p@ss',
      hosts: [{ host: 'rabbit', port: 5672 }],
    });
  });
});

describe('redactUrl', () => {
  it('masks the password and keeps the rest readable', () => {
    expect(redactUrl('amqps://svc:hunter2@r1,r2:5671/prod')).toBe('amqps://svc:***@r1,r2:5671/prod');
  });

  it('masks secret query values', () => {
    expect(redactUrl('nats://n1?token=abc&name=x&password=p&access_token=t')).toBe(
      'nats://n1?token=***&name=x&password=***&access_token=***',
    );
  });

  it('masks a password even without a scheme, or when it holds an @', () => {
    expect(redactUrl('guest:hunter2@rabbit:5672')).toBe('guest:***@rabbit:5672');
    expect(redactUrl('amqp://guest:hun@ter2@rabbit')).toBe('amqp://guest:***@rabbit');
  });

  it('leaves URLs without secrets alone', () => {
    for (const url of ['kafka://b1:9092,b2:9092', 'mqtt://user@h:1883', 'http://h:8000/api', 'memory://'])
      expect(redactUrl(url)).toBe(url);
  });
});
