import { DatabusError } from './databus.error';
import { isPermanentFailure } from './failure-classification';
import { ConfigurationError, PayloadDecodeError, PermanentError } from './permanent.error';
import { RequestTimeoutError } from './request-timeout.error';
import { ConsumerError, TemporaryError } from './temporary.error';

/** A databus error that says it is not retriable without being a PermanentError (as auth's HttpStatusError for a 4xx). */
class RefusedError extends DatabusError {
  constructor(readonly retriable: boolean) {
    super('refused');
  }
}

/** The shape of a Nest HttpException, without depending on Nest. */
const httpError = (status: number) => Object.assign(new Error(`HTTP ${status}`), { getStatus: () => status });

describe('isPermanentFailure', () => {
  it('is true for PermanentError and its subclasses', () => {
    for (const error of [
      new PermanentError('no'),
      new PayloadDecodeError('not JSON'),
      new ConfigurationError('x', 'y'),
    ])
      expect(isPermanentFailure(error)).toBe(true);
  });

  it('is true for a DatabusError built non-retriable, though it is not a PermanentError', () => {
    expect(isPermanentFailure(new RefusedError(false))).toBe(true);
  });

  it('is false for retriable databus errors', () => {
    for (const error of [
      new TemporaryError('broker down'),
      new ConsumerError('lost'),
      new RequestTimeoutError('svc', 100),
      new RefusedError(true),
    ])
      expect(isPermanentFailure(error)).toBe(false);
  });

  it('is true for 4xx HTTP exceptions and false for 5xx ones', () => {
    expect(isPermanentFailure(httpError(400))).toBe(true);
    expect(isPermanentFailure(httpError(403))).toBe(true);
    expect(isPermanentFailure(httpError(503))).toBe(false);
  });

  it('is false for plain errors and non-errors', () => {
    expect(isPermanentFailure(new Error('flaky'))).toBe(false);
    expect(isPermanentFailure('boom')).toBe(false);
    expect(isPermanentFailure(undefined)).toBe(false);
  });
});
