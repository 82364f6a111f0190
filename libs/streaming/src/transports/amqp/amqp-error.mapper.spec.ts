import { AuthenticationError, ConsumerError, PermanentError, TemporaryError } from '@databus/common';
import { mapChannelError } from './amqp-error.mapper';
import { lockQueueName, offsetQueueName, queueName } from './amqp-topology';

const withCode = (message: string, code: string | number): Error =>
  Object.assign(new Error(message), { code });

describe('amqp error mapping', () => {
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
