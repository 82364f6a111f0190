import { ConfigurationError, parseBrokerUrl } from '@databus/common';
import { resolveRestOptions } from './rest.options';

const resolve = (url: string, raw: Record<string, unknown> = {}) =>
  resolveRestOptions(parseBrokerUrl(url), url.startsWith('rest+https'), raw);

describe('REST streaming transport options', () => {
  it('defaults the seed prefixes and builds the base URL from the transport URL', () => {
    expect(resolve('rest+https://streaming.example:8443/api/')).toEqual({
      baseUrl: 'https://streaming.example:8443/api',
      consumerPathPrefix: '/databus/consumer-service/v1',
      producerPathPrefix: '/databus/cloudproxy/v1',
      pollIntervalMs: 1_000,
      httpTimeoutMs: 30_000,
    });
    expect(resolve('rest+http://127.0.0.1:50080').baseUrl).toBe('http://127.0.0.1:50080');
  });

  it('lets pathPrefix replace both prefixes, from transportOptions or the query', () => {
    const viaOptions = resolve('rest+https://h', { pathPrefix: 'gateway/v2/' });
    expect([viaOptions.consumerPathPrefix, viaOptions.producerPathPrefix]).toEqual([
      '/gateway/v2',
      '/gateway/v2',
    ]);
    const viaQuery = resolve('rest+https://h?consumerPathPrefix=/c&producerPathPrefix=/p&pollIntervalMs=250');
    expect(viaQuery).toMatchObject({
      consumerPathPrefix: '/c',
      producerPathPrefix: '/p',
      pollIntervalMs: 250,
    });
  });

  it('names the bad option', () => {
    expect(() => resolve('rest+https://h', { pathprefix: '/x' })).toThrow(ConfigurationError);
    expect(() => resolve('rest+https://h', { pathprefix: '/x' })).toThrow('"transportOptions.pathprefix"');
    expect(() => resolve('rest+https://a,b')).toThrow(
      'Invalid option "url": expected exactly one host for the REST streaming service, received 2 hosts.',
    );
    expect(() => resolve('rest+https://h', { pollIntervalMs: 0 })).toThrow(
      '"transportOptions.pollIntervalMs"',
    );
  });
});
