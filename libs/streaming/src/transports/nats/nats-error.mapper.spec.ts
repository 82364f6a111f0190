import {
  AuthenticationError,
  ConfigurationError,
  ConsumerError,
  PermanentError,
  TemporaryError,
} from '@databus/common';
import { JetStreamApiError } from '@nats-io/jetstream';
import { errors } from './nats-client';
import { isConsumerNotFound, isNoResponders, isTlsFailure, mapNatsError } from './nats-error.mapper';

describe('mapNatsError', () => {
  it('maps refused credentials to AuthenticationError', () => {
    const e = mapNatsError(new errors.AuthorizationError('Authorization Violation'), 'connect');
    expect(e).toBeInstanceOf(AuthenticationError);
    expect(e.cause).toBeInstanceOf(errors.AuthorizationError);
  });

  it('maps connection trouble to TemporaryError, and to ConsumerError while consuming', () => {
    expect(mapNatsError(new errors.ConnectionError('refused'), 'produce')).toBeInstanceOf(TemporaryError);
    expect(mapNatsError(new errors.ConnectionError('refused'), 'produce')).not.toBeInstanceOf(ConsumerError);
    expect(mapNatsError(new errors.TimeoutError(), 'consume')).toBeInstanceOf(ConsumerError);
  });

  it('maps a missing consumer or stream to ConsumerError and other 4xx answers to PermanentError', () => {
    const missing = new JetStreamApiError({ code: 404, err_code: 10014, description: 'consumer not found' });
    expect(mapNatsError(missing, 'admin')).toBeInstanceOf(ConsumerError);
    expect(isConsumerNotFound(missing)).toBe(true);
    const bad = new JetStreamApiError({ code: 400, err_code: 10065, description: 'subjects overlap' });
    expect(mapNatsError(bad, 'admin')).toBeInstanceOf(PermanentError);
    const busy = new JetStreamApiError({ code: 503, err_code: 10008, description: 'unavailable' });
    expect(mapNatsError(busy, 'admin')).toBeInstanceOf(TemporaryError);
  });

  it('maps JetStream being disabled to a ConfigurationError on url', () => {
    const off = new Error('jetstream is not enabled');
    off.name = 'JetStreamNotEnabled';
    const e = mapNatsError(off, 'connect');
    expect(e).toBeInstanceOf(ConfigurationError);
    expect((e as ConfigurationError).option).toBe('url');
  });

  it('redacts secrets that a message might carry', () => {
    const e = mapNatsError(new Error('failed for nats://user:hunter2@host:4222'), 'connect');
    expect(e.message).not.toContain('hunter2');
  });

  it('finds "no responders" in a cause chain', () => {
    const inner = new errors.NoRespondersError('x');
    expect(isNoResponders(new errors.RequestError('r', { cause: inner }))).toBe(true);
    expect(isNoResponders(new Error('other'))).toBe(false);
  });
});

describe('TLS failures', () => {
  it('maps a certificate that does not verify to PermanentError', () => {
    const tls = Object.assign(new Error('unable to verify the first certificate'), {
      code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    });
    const mapped = mapNatsError(tls, 'connect');
    expect(mapped).toBeInstanceOf(PermanentError);
    expect(mapped.message).toContain('TLS');
    expect(isTlsFailure(new Error('wrapped', { cause: tls }))).toBe(true);
    expect(isTlsFailure(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))).toBe(false);
    // nats.js sometimes keeps only the text of the TLS error
    expect(isTlsFailure(new Error('Error: unable to verify the first certificate'))).toBe(true);
  });
});
