import { ConfigurationError } from '@databus/common';
import { resolveStreamingOptions } from '../options/resolve-streaming-options';
import { resolveAccountServerOptions } from './account-server.options';
import { durableNameForCn } from './durable-name';

const tls = { cert: '/etc/app.crt', key: '/etc/app.key', ca: '/etc/ca.pem' };

describe('account-server bootstrap', () => {
  it('names the durable of a CN as the dataset client does: md5 hex with the last character 0', () => {
    // md5("abc") = 900150983cd24fb0d6963f7d28e17f72 (RFC 1321 test suite)
    expect(durableNameForCn('abc')).toBe('900150983cd24fb0d6963f7d28e17f70');
  });

  it('reads /api/v1/config of the server, replacing any path', () => {
    expect(resolveAccountServerOptions('https://accounts.example:8443/portal/x', tls)).toEqual({
      configUrl: 'https://accounts.example:8443/api/v1/config',
      requestTimeoutMs: 10_000,
      tls,
    });
    expect(
      resolveAccountServerOptions({ url: 'https://accounts.example', requestTimeoutMs: 2_000 }, tls)
        .requestTimeoutMs,
    ).toBe(2_000);
  });

  it('names the bad option', () => {
    expect(() => resolveAccountServerOptions('not a url', tls)).toThrow(ConfigurationError);
    expect(() => resolveAccountServerOptions('not a url', tls)).toThrow(
      'Invalid option "StreamingModule.accountServer.url": expected an absolute https:// URL',
    );
    expect(() => resolveAccountServerOptions('https://a.example', { ca: '/etc/ca.pem' })).toThrow(
      'Invalid option "StreamingModule.tls": expected the client certificate (cert + key, or pfx) that obtains the gateway JWT, and the CA bundle (ca).',
    );
  });

  it('excludes url and transport in the module options', () => {
    expect(() =>
      resolveStreamingOptions({ accountServer: 'https://accounts.example', url: 'nats://n:4222', tls }),
    ).toThrow('Invalid option "StreamingModule.url": expected no value next to accountServer');
  });
});
