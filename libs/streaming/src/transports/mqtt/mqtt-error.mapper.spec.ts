import { AuthenticationError, ConfigurationError, PermanentError, TemporaryError } from '@databus/common';
import { mapMqttError } from './mqtt-error.mapper';

describe('mapMqttError', () => {
  const err = (code: unknown, message = 'x') => Object.assign(new Error(message), { code });

  it('maps refused credentials to AuthenticationError', () => {
    for (const code of [4, 5, 134, 135])
      expect(mapMqttError(err(code), 'connect')).toBeInstanceOf(AuthenticationError);
  });

  it('maps unsupported shared subscriptions to ConfigurationError and protocol refusals to PermanentError', () => {
    expect(mapMqttError(err(158), 'subscribe')).toBeInstanceOf(ConfigurationError);
    const refused = mapMqttError(err(133), 'connect');
    expect(refused).toBeInstanceOf(PermanentError);
    expect(refused).not.toBeInstanceOf(AuthenticationError);
  });

  it('maps certificate failures to PermanentError and socket errors to TemporaryError', () => {
    expect(mapMqttError(err('DEPTH_ZERO_SELF_SIGNED_CERT'), 'connect')).toBeInstanceOf(PermanentError);
    expect(mapMqttError(err('ECONNREFUSED'), 'connect')).toBeInstanceOf(TemporaryError);
    expect(mapMqttError(err(136), 'connect')).toBeInstanceOf(TemporaryError); // server unavailable
  });

  it('maps TLS against a plain port (wrong version number) to a ConfigurationError naming url, as amqp does', () => {
    const cause = err(
      'ERR_SSL_WRONG_VERSION_NUMBER',
      'C0:error:0A00010B:SSL routines:ssl3_get_record:wrong version number',
    );
    const mapped = mapMqttError(
      cause,
      'connect producer on mqtts://127.0.0.1:1883',
      'mqtts://127.0.0.1:1883',
    );
    expect(mapped).toBeInstanceOf(ConfigurationError);
    expect(mapped).toMatchObject({ option: 'url', cause });
    expect(mapped.message).toBe(
      'Invalid option "url": expected an mqtts:// address of a TLS listener (Mosquitto: port 8883), received mqtts://127.0.0.1:1883, where the server does not speak TLS (wrong version number).',
    );
  });

  it('maps a reset during the first TLS handshake (Mosquitto on 1883) to the same ConfigurationError; a reset otherwise stays temporary', () => {
    const reset = err('ECONNRESET', 'read ECONNRESET');
    const mapped = mapMqttError(reset, 'connect producer on mqtts://h:1883', 'mqtts://h:1883', true);
    expect(mapped).toBeInstanceOf(ConfigurationError);
    expect(mapped.message).toBe(
      'Invalid option "url": expected an mqtts:// address of a TLS listener (Mosquitto: port 8883), received mqtts://h:1883, where the server does not speak TLS (the connection was reset during the TLS handshake).',
    );
    expect(mapMqttError(reset, 'connect producer on mqtts://h:8883', 'mqtts://h:8883', false)).toBeInstanceOf(
      TemporaryError,
    );
  });

  it('keeps the cause and never echoes a secret', () => {
    const cause = err('ECONNRESET', 'failed for mqtt://svc:s3cret@host');
    const mapped = mapMqttError(cause, 'publish');
    expect(mapped.cause).toBe(cause);
    expect(mapped.message).not.toContain('s3cret');
  });
});
