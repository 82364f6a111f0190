import {
  AuthenticationError,
  ConfigurationError,
  ConsumerError,
  PermanentError,
  TemporaryError,
} from '@databus/common';
import { mapChannelError, mapConnectError } from './amqp-error.mapper';
import { lockQueueName, offsetQueueName, queueName } from './amqp-topology';

const withCode = (message: string, code: string | number): Error =>
  Object.assign(new Error(message), { code });

describe('amqp error mapping', () => {
  const where = 'amqp://127.0.0.1:5672/';

  it('maps connection failures', () => {
    expect(mapConnectError(withCode('connect ECONNREFUSED', 'ECONNREFUSED'), where)).toBeInstanceOf(
      TemporaryError,
    );
    const auth = mapConnectError(
      new Error(
        'Handshake terminated by server: 403 (ACCESS-REFUSED) with message "ACCESS_REFUSED - Login was refused"',
      ),
      where,
    );
    expect(auth).toBeInstanceOf(AuthenticationError);
    const vhost = mapConnectError(
      new Error(
        'Handshake terminated by server: 530 (NOT-ALLOWED) with message "NOT_ALLOWED - vhost nope not found"',
      ),
      where,
    );
    expect(vhost).toBeInstanceOf(ConfigurationError);
    expect((vhost as ConfigurationError).option).toBe('url');
    const refusedOpen = mapConnectError(
      new Error('Expected ConnectionOpenOk; got <ConnectionClose channel:0>'),
      where,
    );
    expect((refusedOpen as ConfigurationError).option).toBe('url');
    const tls = mapConnectError(withCode('self-signed certificate', 'DEPTH_ZERO_SELF_SIGNED_CERT'), where);
    expect((tls as ConfigurationError).option).toBe('tls.ca');
    expect(mapConnectError(new Error('tlsv13 alert certificate required'), where)).toBeInstanceOf(
      AuthenticationError,
    );
  });

  it('never repeats a password found in a broker message', () => {
    const error = mapConnectError(new Error('cannot reach amqp://user:hunter2@host'), where);
    expect(error.message).not.toContain('hunter2');
  });

  it('maps channel failures: permanent protocol errors, temporary losses, ConsumerError for consumers', () => {
    expect(mapChannelError(withCode('inequivalent arg', 406), 'Declaring')).toBeInstanceOf(PermanentError);
    expect(mapChannelError(withCode('access refused', 403), 'Declaring')).toBeInstanceOf(AuthenticationError);
    expect(mapChannelError(new Error('channel closed'), 'Publishing')).toBeInstanceOf(TemporaryError);
    expect(mapChannelError(new Error('channel closed'), 'Consuming', true)).toBeInstanceOf(ConsumerError);
  });
});

describe('amqp queue names', () => {
  it('names lock and position queues after dataset and group, within 255 bytes', () => {
    expect(lockQueueName('readings', 'store')).toBe('databus.lock.readings.store');
    expect(offsetQueueName('readings', 'store')).toBe('databus.offset.readings.store');
    const long = queueName('databus.offset', 'd'.repeat(200), 'g'.repeat(100));
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(255);
    expect(long).not.toBe(queueName('databus.offset', 'd'.repeat(200), 'g'.repeat(101)));
  });
});
