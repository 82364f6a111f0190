import {
  AuthenticationError,
  ConfigurationError,
  ConsumerError,
  PermanentError,
  TemporaryError,
} from '@databus/common';
import {
  KafkaJSConnectionError,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
  KafkaJSRequestTimeoutError,
  KafkaJSSASLAuthenticationError,
} from 'kafkajs';
import { SubscriptionLostError } from '../../errors';
import { isRebalanceError, mapKafkaError } from './kafka-error.mapper';

/** kafkajs' typings omit the message argument of this class. */
const SaslError = KafkaJSSASLAuthenticationError as unknown as new (message: string) => Error;

const protocol = (type: string, retriable = false) =>
  new KafkaJSProtocolError({ message: `protocol ${type}`, type, code: 1, retriable } as never);

describe('mapKafkaError', () => {
  it('maps connection loss and timeouts to TemporaryError, or ConsumerError while consuming', () => {
    const refused = new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 10.0.0.1:9092', {
      code: 'ECONNREFUSED',
    });
    const exhausted = new KafkaJSNumberOfRetriesExceeded(refused, { retryCount: 5, retryTime: 900 });
    const produce = mapKafkaError(exhausted, 'produce', 'readings');
    expect(produce).toBeInstanceOf(TemporaryError);
    expect(produce).not.toBeInstanceOf(ConsumerError);
    expect(produce.message).toBe(
      'Kafka is unavailable (producing to "readings"): Connection error: connect ECONNREFUSED 10.0.0.1:9092',
    );
    expect(produce.cause).toBe(exhausted);
    expect(mapKafkaError(exhausted, 'consume', 'readings')).toBeInstanceOf(SubscriptionLostError);
    expect(mapKafkaError(exhausted, 'consume', 'readings')).toBeInstanceOf(ConsumerError);
    expect(
      mapKafkaError(new KafkaJSRequestTimeoutError('Request fetch timed out'), 'consume'),
    ).toBeInstanceOf(ConsumerError);
  });

  it('maps rebalances to temporary errors and recognises them', () => {
    for (const type of ['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID']) {
      const error = protocol(type);
      expect(isRebalanceError(error)).toBe(true);
      expect(mapKafkaError(error, 'commit')).toBeInstanceOf(TemporaryError);
    }
    expect(
      isRebalanceError(
        Object.assign(new KafkaJSNonRetriableError('x'), { cause: protocol('REBALANCE_IN_PROGRESS') }),
      ),
    ).toBe(true);
    expect(isRebalanceError(protocol('TOPIC_AUTHORIZATION_FAILED'))).toBe(false);
  });

  it('maps SASL failures and authorization failures to AuthenticationError without secrets', () => {
    const sasl = new SaslError(
      'SASL PLAIN authentication failed: Authentication failed: Invalid username or password',
    );
    const mapped = mapKafkaError(sasl, 'connect');
    expect(mapped).toBeInstanceOf(AuthenticationError);
    expect(mapped.message).toMatch(/^Kafka refused the credentials \(connecting\)/);
    expect(mapKafkaError(protocol('SASL_AUTHENTICATION_FAILED'), 'connect')).toBeInstanceOf(
      AuthenticationError,
    );
    const denied = mapKafkaError(protocol('GROUP_AUTHORIZATION_FAILED'), 'commit', 'readings');
    expect(denied).toBeInstanceOf(AuthenticationError);
    expect(denied.message).toBe('Kafka refused access (committing "readings"): GROUP_AUTHORIZATION_FAILED');
    const bearer = new SaslError('bad token Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln');
    expect(mapKafkaError(bearer, 'connect').message).not.toContain('eyJ');
  });

  it('maps TLS verification failures to PermanentError and a refused client certificate to AuthenticationError', () => {
    const untrusted = new KafkaJSConnectionError('Connection error: self-signed certificate', {
      code: 'DEPTH_ZERO_SELF_SIGNED_CERT',
    });
    const mapped = mapKafkaError(untrusted, 'connect');
    expect(mapped).toBeInstanceOf(PermanentError);
    expect(mapped).not.toBeInstanceOf(AuthenticationError);
    expect(mapped.message).toMatch(/TLS verification of the Kafka broker failed/);
    const refused = new KafkaJSConnectionError('Connection error: ssl3 alert bad certificate', {
      code: 'ERR_SSL',
    });
    expect(mapKafkaError(refused, 'connect')).toBeInstanceOf(AuthenticationError);
  });

  it('maps configuration problems to ConfigurationError naming the option', () => {
    const topic = mapKafkaError(protocol('INVALID_TOPIC_EXCEPTION'), 'produce', 'bad topic');
    expect(topic).toBeInstanceOf(ConfigurationError);
    expect(topic).toMatchObject({ option: 'dataset' });
    expect(mapKafkaError(protocol('UNSUPPORTED_SASL_MECHANISM'), 'connect')).toMatchObject({
      option: 'transportOptions.sasl.mechanism',
    });
  });

  it('maps oversized records and other non-retriable errors to PermanentError; keeps databus errors', () => {
    expect(mapKafkaError(protocol('MESSAGE_TOO_LARGE'), 'produce', 'x')).toBeInstanceOf(PermanentError);
    expect(mapKafkaError(new Error('boom'), 'admin')).toBeInstanceOf(PermanentError);
    expect(mapKafkaError(protocol('NOT_LEADER_FOR_PARTITION', true), 'produce')).toBeInstanceOf(
      TemporaryError,
    );
    const own = new ConsumerError('mine');
    expect(mapKafkaError(own, 'produce')).toBe(own);
  });
});
