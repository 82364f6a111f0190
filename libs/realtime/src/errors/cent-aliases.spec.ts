import {
  ApiResponseError,
  CentApiResponseError,
  CentDecodeError,
  CentError,
  CentNetworkError,
  CentTimeoutError,
  CentTransportError,
  CentUnauthorizedError,
  DecodeError,
  NetworkError,
  RealtimeError,
  TimeoutError,
  TransportError,
  UnauthorizedError,
} from '..';

const at = ['publish', 'http://localhost:8000/api'] as const;

describe('cent error names (aliases for code migrating from the Python cent client)', () => {
  it.each([
    ['CentError', CentError, RealtimeError],
    ['CentNetworkError', CentNetworkError, NetworkError],
    ['CentTransportError', CentTransportError, TransportError],
    ['CentTimeoutError', CentTimeoutError, TimeoutError],
    ['CentUnauthorizedError', CentUnauthorizedError, UnauthorizedError],
    ['CentDecodeError', CentDecodeError, DecodeError],
    ['CentApiResponseError', CentApiResponseError, ApiResponseError],
  ])('%s is the very same class object as ours', (_name, alias, ours) => {
    expect(alias).toBe(ours);
  });

  it('instanceof works both ways: an error thrown under our name is caught under the cent name and back', () => {
    const ours = new ApiResponseError(...at, 107, 'bad request');
    expect(ours).toBeInstanceOf(CentApiResponseError);
    expect(ours).toBeInstanceOf(CentError);
    expect(ours.code).toBe(107);
    expect(ours.apiMessage).toBe('bad request');
    const theirs = new CentTimeoutError(...at, 50);
    expect(theirs).toBeInstanceOf(TimeoutError);
    expect(theirs).toBeInstanceOf(RealtimeError);
    expect(theirs.name).toBe('TimeoutError');
    expect(new CentNetworkError(...at, { code: 'ECONNREFUSED' })).not.toBeInstanceOf(CentTimeoutError);
  });

  it('a cent name works as a type annotation too', () => {
    const error: CentTransportError = new TransportError(...at, 503, 'unavailable');
    const base: CentError = error;
    expect(base.method).toBe('publish');
    expect(error.status).toBe(503);
  });
});
