import { DecodeError, NetworkError, TransportError, UnauthorizedError } from '../errors';
import { errorForSocket, errorForStatus, parseReply, scrub } from './reply-mapping';

const KEY = 'sup3r-secret-api-key';
const at = ['history', 'http://c:8000/api'] as const;

describe('reply mapping', () => {
  it('maps 401 to UnauthorizedError without the key', () => {
    const error = errorForStatus(...at, 401, '', KEY);
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect(error?.message).not.toContain(KEY);
  });

  it('maps other non-2xx statuses to TransportError with the status and the start of the body', () => {
    const error = errorForStatus(...at, 500, 'Internal Server Error\n', KEY) as TransportError;
    expect(error).toBeInstanceOf(TransportError);
    expect(error.status).toBe(500);
    expect(error.body).toBe('Internal Server Error');
    expect((errorForStatus(...at, 400, 'x'.repeat(1000), KEY) as TransportError).body).toHaveLength(201);
    expect(errorForStatus(...at, 302, '', KEY)).toBeInstanceOf(TransportError);
  });

  it('accepts every 2xx', () => {
    expect(errorForStatus(...at, 200, '', KEY)).toBeUndefined();
    expect(errorForStatus(...at, 204, '', KEY)).toBeUndefined();
  });

  it('masks the API key if a server echoes it in an error body', () => {
    const error = errorForStatus(...at, 400, `bad key ${KEY} given`, KEY) as TransportError;
    expect(error.message).not.toContain(KEY);
    expect(error.body).toBe('bad key [REDACTED] given');
    expect(scrub('no key here', KEY)).toBe('no key here');
  });

  it('maps socket errors to NetworkError with their system code', () => {
    const cause = Object.assign(new Error(`connect ECONNREFUSED ${KEY}`), { code: 'ECONNREFUSED' });
    const error = errorForSocket(...at, cause, KEY);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error.code).toBe('ECONNREFUSED');
    expect(String((error.cause as Error).message)).not.toContain(KEY);
  });

  it('parses a JSON object and maps anything else to DecodeError', () => {
    expect(parseReply(...at, '{"result":{}}', KEY)).toEqual({ result: {} });
    expect(parseReply(...at, '{"result":', KEY)).toBeInstanceOf(DecodeError);
    expect(parseReply(...at, '[1]', KEY)).toBeInstanceOf(DecodeError);
    expect(parseReply(...at, 'null', KEY)).toBeInstanceOf(DecodeError);
    expect(parseReply(...at, '', KEY)).toBeInstanceOf(DecodeError);
  });
});
