import {
  AuthenticationError,
  ConfigurationError,
  ConsumerError,
  PermanentError,
  TemporaryError,
} from '../errors';
import { mapAmqpChannelError } from './channel-error.mapper';

const withCode = (message: string, code: unknown): Error => Object.assign(new Error(message), { code });

describe('mapAmqpChannelError: one reading of a failed channel operation for both AMQP users', () => {
  it('maps refused access to AuthenticationError naming the operation', () => {
    const error = mapAmqpChannelError(withCode('ACCESS_REFUSED - access to queue', 403), 'Declaring "q"');
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.message).toBe('Declaring "q" was refused by the broker (ACCESS_REFUSED - access to queue).');
  });

  it.each([405, 406, 530])('maps reply code %i to PermanentError', (code) => {
    const error = mapAmqpChannelError(withCode('refused', code), 'Declaring "q"', { consumer: true });
    expect(error).toBeInstanceOf(PermanentError);
    expect(error.message).toBe('Declaring "q" failed: refused');
  });

  it('keeps a missing queue retriable unless told it is permanent', () => {
    const gone = withCode('NOT_FOUND - no queue', 404);
    expect(mapAmqpChannelError(gone, 'Consuming', { consumer: true })).toBeInstanceOf(ConsumerError);
    expect(mapAmqpChannelError(gone, 'Consuming')).toBeInstanceOf(TemporaryError);
    const permanent = mapAmqpChannelError(gone, 'Binding', { notFoundIsPermanent: true });
    expect(permanent).toBeInstanceOf(PermanentError);
    expect(permanent.message).toBe('Binding failed: NOT_FOUND - no queue');
  });

  it('reads a permanent connection fault through the shared connect mapping', () => {
    const error = mapAmqpChannelError(
      withCode('self-signed certificate in certificate chain', 'SELF_SIGNED_CERT_IN_CHAIN'),
      'amqps://h',
    );
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error).toMatchObject({ option: 'tls.ca' });
  });

  it('makes a lost channel temporary, or ConsumerError for a consumer, with secrets masked', () => {
    const lost = new Error('channel closed, Bearer abc.def.ghi');
    const temporary = mapAmqpChannelError(lost, 'Publishing');
    expect(temporary).toBeInstanceOf(TemporaryError);
    expect(temporary).not.toBeInstanceOf(ConsumerError);
    expect(temporary.message).toMatch(/^Publishing failed: channel closed/);
    expect(temporary.message).not.toContain('abc.def.ghi');
    expect(mapAmqpChannelError(lost, 'Consuming', { consumer: true })).toBeInstanceOf(ConsumerError);
  });
});
