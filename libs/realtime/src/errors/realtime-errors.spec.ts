import {
  AuthenticationError,
  DatabusError,
  PayloadDecodeError,
  isRetriable,
  PermanentError,
  TemporaryError,
} from '@databus/common';
import {
  ApiResponseError,
  DecodeError,
  NetworkError,
  RealtimeError,
  TimeoutError,
  TransportError,
  UnauthorizedError,
} from '.';

const at = ['publish', 'http://localhost:8000/api'] as const;

describe('realtime errors', () => {
  const all = [
    new NetworkError(...at, { code: 'ECONNREFUSED' }),
    new TimeoutError(...at, 50),
    new TransportError(...at, 500, 'Internal Server Error'),
    new UnauthorizedError(...at),
    new DecodeError(...at, 'invalid JSON'),
    new ApiResponseError(...at, 107, 'bad request'),
  ];

  it('are all RealtimeError and DatabusError, with method and endpoint', () => {
    for (const error of all) {
      expect(error).toBeInstanceOf(RealtimeError);
      expect(error).toBeInstanceOf(DatabusError);
      expect(error.method).toBe('publish');
      expect(error.endpoint).toBe('http://localhost:8000/api');
      expect(error.name).toBe(error.constructor.name);
    }
    expect(new Error('x')).not.toBeInstanceOf(RealtimeError);
    expect(new TemporaryError('x')).not.toBeInstanceOf(RealtimeError);
    expect((null as unknown as object) instanceof RealtimeError).toBe(false);
  });

  it('classes network failures and timeouts as temporary', () => {
    expect(all[0]).toBeInstanceOf(TemporaryError);
    expect(all[1]).toBeInstanceOf(TemporaryError);
    expect(isRetriable(all[0])).toBe(true);
    expect(isRetriable(all[1])).toBe(true);
    expect((all[0] as NetworkError).code).toBe('ECONNREFUSED');
    expect(all[0].message).toContain('ECONNREFUSED');
  });

  it('classes unauthorized, decode and API errors as permanent', () => {
    expect(all[3]).toBeInstanceOf(AuthenticationError);
    expect(all[4]).toBeInstanceOf(PayloadDecodeError);
    expect(all[5]).toBeInstanceOf(PermanentError);
    for (const error of all.slice(3)) expect(isRetriable(error)).toBe(false);
  });

  it('makes a TransportError retriable for 5xx, 408 and 429 only', () => {
    expect(isRetriable(new TransportError(...at, 503))).toBe(true);
    expect(isRetriable(new TransportError(...at, 429))).toBe(true);
    expect(isRetriable(new TransportError(...at, 408))).toBe(true);
    expect(isRetriable(new TransportError(...at, 400))).toBe(false);
    expect(isRetriable(new TransportError(...at, 404))).toBe(false);
    expect(new TransportError(...at, 503).status).toBe(503);
  });

  it('keeps Centrifugo code and message on ApiResponseError', () => {
    const error = all[5] as ApiResponseError;
    expect(error.code).toBe(107);
    expect(error.apiMessage).toBe('bad request');
    expect(error.message).toBe('Centrifugo API "publish" error #107: bad request.');
  });
});
