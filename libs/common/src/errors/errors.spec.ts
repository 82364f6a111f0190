import {
  AuthenticationError,
  ConfigurationError,
  ConsumerError,
  DatabusError,
  PayloadDecodeError,
  isRetriable,
  PermanentError,
  RequestTimeoutError,
  TemporaryError,
  UnsupportedFeatureError,
} from './index';
import { RetriesExhaustedError } from '../retry';

describe('error hierarchy', () => {
  const cases: Array<[string, DatabusError, Array<abstract new (...args: never[]) => Error>, boolean]> = [
    ['TemporaryError', new TemporaryError('broker restarting'), [TemporaryError], true],
    ['ConsumerError', new ConsumerError('fetch failed'), [TemporaryError], true],
    ['PermanentError', new PermanentError('no'), [PermanentError], false],
    [
      'UnsupportedFeatureError',
      new UnsupportedFeatureError('mqtt', 'seek by sequence'),
      [PermanentError],
      false,
    ],
    ['ConfigurationError', new ConfigurationError('url', 'a broker URL'), [PermanentError], false],
    ['AuthenticationError', new AuthenticationError('refused'), [PermanentError], false],
    ['PayloadDecodeError', new PayloadDecodeError('not JSON'), [PermanentError], false],
    ['RequestTimeoutError', new RequestTimeoutError('stats.compute', 5000), [], true],
    ['RetriesExhaustedError', new RetriesExhaustedError(3, new Error('x')), [TemporaryError], true],
  ];

  it.each(cases)(
    '%s has its own name, the right ancestors and retriable flag',
    (name, error, ancestors, retriable) => {
      expect(error.name).toBe(name);
      expect(error).toBeInstanceOf(Error);
      expect(error).toBeInstanceOf(DatabusError);
      for (const ancestor of ancestors) expect(error).toBeInstanceOf(ancestor);
      expect(error.retriable).toBe(retriable);
      expect(isRetriable(error)).toBe(retriable);
      expect(String(error)).toMatch(new RegExp(`^${name}: `));
      expect(error.stack).toContain(name);
    },
  );

  it('keeps temporary and permanent errors apart', () => {
    expect(new ConsumerError('x')).not.toBeInstanceOf(PermanentError);
    expect(new ConfigurationError('a', 'b')).not.toBeInstanceOf(TemporaryError);
    expect(new RequestTimeoutError('q', 1)).not.toBeInstanceOf(TemporaryError);
    expect(new RequestTimeoutError('q', 1)).not.toBeInstanceOf(PermanentError);
  });

  it('isRetriable is false for anything that is not a databus error', () => {
    for (const other of [new Error('x'), { retriable: true }, 'oops', undefined, null])
      expect(isRetriable(other)).toBe(false);
  });

  it('a subclass defined by a user gets its own name too', () => {
    class BrokerFencedError extends TemporaryError {}
    expect(new BrokerFencedError('fenced').name).toBe('BrokerFencedError');
  });

  it('keeps the cause', () => {
    const cause = new Error('ECONNRESET');
    const error = new TemporaryError('connection lost', { cause });
    expect(error.cause).toBe(cause);
  });

  it('UnsupportedFeatureError names the transport and the feature', () => {
    const error = new UnsupportedFeatureError('mqtt', 'seek by time');
    expect(error.message).toBe('The mqtt transport does not support seek by time.');
    expect(error).toMatchObject({ transport: 'mqtt', feature: 'seek by time' });
    expect(new UnsupportedFeatureError('mqtt', 'seek', 'MQTT keeps no history').message).toBe(
      'The mqtt transport does not support seek: MQTT keeps no history',
    );
  });

  it('ConfigurationError names the option, what is expected and what was received', () => {
    const cause = new Error('inner');
    const error = new ConfigurationError('retry.attempts', 'an integer >= 1', { received: '0', cause });
    expect(error.message).toBe('Invalid option "retry.attempts": expected an integer >= 1, received 0.');
    expect(error).toMatchObject({ option: 'retry.attempts', expected: 'an integer >= 1', cause });
    expect(new ConfigurationError('url', 'a broker URL').message).toBe(
      'Invalid option "url": expected a broker URL.',
    );
  });

  it('RequestTimeoutError names the destination and the timeout', () => {
    const error = new RequestTimeoutError('stats.compute', 250);
    expect(error.message).toBe('No reply from "stats.compute" within 250 ms.');
    expect(error).toMatchObject({ destination: 'stats.compute', timeoutMs: 250 });
  });

  it('RetriesExhaustedError says how many attempts and wraps the last failure', () => {
    const last = new TemporaryError('still down');
    const error = new RetriesExhaustedError(5, last);
    expect(error.message).toBe('Gave up after 5 attempts: still down');
    expect(error).toMatchObject({ attempts: 5, cause: last });
    expect(new RetriesExhaustedError(2, 'plain').message).toBe('Gave up after 2 attempts: plain');
  });
});
