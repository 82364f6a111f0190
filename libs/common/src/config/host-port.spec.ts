import { formatHostPort } from './host-port';
import { parseBrokerUrl } from './parse-broker-url';

describe('formatHostPort', () => {
  it('joins a host name and its port', () => {
    expect(formatHostPort({ host: 'broker.internal', port: 4223 }, 4222)).toBe('broker.internal:4223');
  });

  it('uses the default port when the URL gave none', () => {
    expect(formatHostPort({ host: '127.0.0.1' }, 9092)).toBe('127.0.0.1:9092');
  });

  it('writes a host alone when neither the URL nor the caller gives a port', () => {
    expect(formatHostPort({ host: 'rabbit-1' })).toBe('rabbit-1');
    expect(formatHostPort({ host: '::1' })).toBe('[::1]');
  });

  it('puts an IPv6 address in brackets', () => {
    expect(formatHostPort({ host: '::1', port: 4222 }, 1)).toBe('[::1]:4222');
    expect(formatHostPort({ host: 'fe80::1' }, 9092)).toBe('[fe80::1]:9092');
  });

  it('gives back what parseBrokerUrl read, for every host of a cluster', () => {
    const url = parseBrokerUrl('nats://[::1]:4222,n2,n3:4333');
    expect(url.hosts.map((h) => formatHostPort(h, 4222))).toEqual(['[::1]:4222', 'n2:4222', 'n3:4333']);
  });
});
