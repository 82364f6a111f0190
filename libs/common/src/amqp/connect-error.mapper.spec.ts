import { AuthenticationError, ConfigurationError, TemporaryError } from '../errors';
import { mapAmqpConnectError } from './connect-error.mapper';

const withCode = (message: string, code: string | number): Error =>
  Object.assign(new Error(message), { code });

describe('mapAmqpConnectError (one mapping for streaming and queue)', () => {
  const where = 'amqp://127.0.0.1:5672';

  it('maps connection failures', () => {
    expect(mapAmqpConnectError(withCode('connect ECONNREFUSED', 'ECONNREFUSED'), where)).toBeInstanceOf(
      TemporaryError,
    );
    const auth = mapAmqpConnectError(
      new Error(
        'Handshake terminated by server: 403 (ACCESS-REFUSED) with message "ACCESS_REFUSED - Login was refused"',
      ),
      where,
    );
    expect(auth).toBeInstanceOf(AuthenticationError);
    const vhost = mapAmqpConnectError(
      new Error(
        'Handshake terminated by server: 530 (NOT-ALLOWED) with message "NOT_ALLOWED - vhost nope not found"',
      ),
      where,
    );
    expect(vhost).toBeInstanceOf(ConfigurationError);
    expect((vhost as ConfigurationError).option).toBe('url');
    const refusedOpen = mapAmqpConnectError(
      new Error('Expected ConnectionOpenOk; got <ConnectionClose channel:0>'),
      where,
    );
    expect((refusedOpen as ConfigurationError).option).toBe('url');
    const tls = mapAmqpConnectError(
      withCode('self-signed certificate', 'DEPTH_ZERO_SELF_SIGNED_CERT'),
      where,
    );
    expect((tls as ConfigurationError).option).toBe('tls.ca');
    expect(mapAmqpConnectError(new Error('tlsv13 alert certificate required'), where)).toBeInstanceOf(
      AuthenticationError,
    );
  });

  it('never repeats a password found in a broker message', () => {
    const error = mapAmqpConnectError(new Error('cannot reach amqp://user:hunter2@host'), where);
    expect(error.message).not.toContain('hunter2');
  });

  it('names the option and the cause of each permanent bootstrap fault', () => {
    const refused = mapAmqpConnectError(
      new Error('Handshake terminated by server: 403 (ACCESS-REFUSED) with message "ACCESS_REFUSED"'),
      where,
    );
    expect(refused.message).toBe(
      'The broker at amqp://127.0.0.1:5672 refused the credentials (Handshake terminated by server: 403 (ACCESS-REFUSED) with message "ACCESS_REFUSED"); check the user name and password of url, username/password or credentials.',
    );
    const frame = mapAmqpConnectError(new Error('Frame size 1327528738 exceeds maxFrameSize 131072'), where);
    expect(frame).toBeInstanceOf(ConfigurationError);
    expect(frame.message).toBe(
      'Invalid option "url": expected the address of an AMQP 0-9-1 listener, received amqp://127.0.0.1:5672, where the server does not speak AMQP (Frame size 1327528738 exceeds maxFrameSize 131072).',
    );
    const plain = mapAmqpConnectError(
      withCode(
        'C0:error:0A00010B:SSL routines:ssl3_get_record:wrong version number',
        'ERR_SSL_WRONG_VERSION_NUMBER',
      ),
      'amqps://127.0.0.1:5672',
    );
    expect(plain).toBeInstanceOf(ConfigurationError);
    expect(plain.message).toMatch(
      /^Invalid option "url": expected an amqps:\/\/ address of a TLS listener \(RabbitMQ: port 5671\), received amqps:\/\/127\.0\.0\.1:5672, where the server does not speak TLS \(wrong version number\)\.$/,
    );
    const untrusted = mapAmqpConnectError(
      withCode('self-signed certificate in certificate chain', 'SELF_SIGNED_CERT_IN_CHAIN'),
      where,
    );
    expect(untrusted.message).toBe(
      'Invalid option "tls.ca": expected a CA that verifies the broker\'s certificate, received amqp://127.0.0.1:5672, whose certificate is not trusted (SELF_SIGNED_CERT_IN_CHAIN); check tls.ca and tls.servername.',
    );
  });

  it('keeps a socket failure temporary, with the target and the cause', () => {
    const error = mapAmqpConnectError(withCode('connect ECONNREFUSED 127.0.0.1:1', 'ECONNREFUSED'), where);
    expect(error).toBeInstanceOf(TemporaryError);
    expect(error.message).toBe('Cannot connect to amqp://127.0.0.1:5672: connect ECONNREFUSED 127.0.0.1:1');
  });
});
