import { ConfigurationError } from '../errors';
import { assertTlsScheme } from './tls-scheme';

/** What `assertTlsScheme` threw, or `undefined`. */
function refusal(scheme: string): unknown {
  try {
    assertTlsScheme(scheme, 'Lib.tls');
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('assertTlsScheme (TLS options and the URL scheme)', () => {
  it.each([
    ['amqp', 'amqps'],
    ['mqtt', 'mqtts'],
    ['kafka', 'kafka+ssl'],
    ['rest+http', 'rest+https'],
  ])('refuses tls with %s://, naming tls and the scheme, and says to write %s://', (scheme, secure) => {
    const error = refusal(scheme);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error).toMatchObject({ option: 'Lib.tls' });
    expect((error as Error).message).toBe(
      `Invalid option "Lib.tls": expected ${secure}:// in the url (TLS options are not used with ${scheme}://, which connects to the plain port without TLS; write ${secure}:// and the TLS port), received ${scheme}://….`,
    );
  });

  it('accepts tls with nats:// (NATS negotiates TLS in-band on its one client port) and with TLS schemes', () => {
    for (const scheme of ['nats', 'tls', 'amqps', 'mqtts', 'kafka+ssl', 'rest+https', 'custom'])
      expect(refusal(scheme)).toBeUndefined();
  });

  it('refuses tls with memory://, which has no connection to secure', () => {
    expect(refusal('memory')).toMatchObject({
      option: 'Lib.tls',
      message:
        'Invalid option "Lib.tls": expected no TLS options with memory:// (it has no connection to secure), received memory://….',
    });
  });
});
