import { AuthenticationError, ConfigurationError, PermanentError, TemporaryError } from '@databus/common';
import { mapAmqpError } from './rabbitmq-error.mapper';

const withCode = (message: string, code: unknown) => Object.assign(new Error(message), { code });

describe('mapAmqpError', () => {
  it('maps an untrusted broker certificate to ConfigurationError naming tls.ca (as the streaming amqp transport)', () => {
    const error = mapAmqpError(
      withCode('self-signed certificate in certificate chain', 'SELF_SIGNED_CERT_IN_CHAIN'),
      'amqps://h',
    );
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error).toMatchObject({ option: 'tls.ca' });
    expect(error.message).toMatch(/certificate is not trusted \(SELF_SIGNED_CERT_IN_CHAIN\)/);
  });

  it('maps a refused client certificate to AuthenticationError pointing at tls.cert', () => {
    const error = mapAmqpError(
      withCode('tlsv13 alert certificate required', 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED'),
      'amqps://h',
    );
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.message).toMatch(/client certificate.*tls\.cert/);
  });

  it('maps refused logins, channel errors and socket errors', () => {
    expect(
      mapAmqpError(withCode('Handshake terminated by server: 403 (ACCESS-REFUSED)', undefined), 'h'),
    ).toBeInstanceOf(AuthenticationError);
    expect(
      mapAmqpError(withCode("PRECONDITION_FAILED - inequivalent arg 'x-max-priority'", 406), 'h'),
    ).toBeInstanceOf(ConfigurationError);
    expect(mapAmqpError(withCode('NOT_FOUND - no exchange', 404), 'h')).toBeInstanceOf(PermanentError);
    expect(mapAmqpError(withCode('connect ECONNREFUSED', 'ECONNREFUSED'), 'h')).toBeInstanceOf(
      TemporaryError,
    );
  });

  it('masks secrets that appear in vendor messages', () => {
    expect(mapAmqpError(new Error('bad Bearer abc.def.ghi'), 'h').message).not.toContain('abc.def.ghi');
  });
});
