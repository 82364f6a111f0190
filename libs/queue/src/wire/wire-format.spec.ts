import { PayloadDecodeError } from '@databus/common';
import { attemptOf, carriedHeaders, decodeBody, encodeBody, WireHeaders } from './wire-format';

describe('wire format', () => {
  it('encodes objects as plain JSON and Buffers as they are', () => {
    expect(encodeBody({ a: 1 })).toEqual({ body: Buffer.from('{"a":1}'), contentType: 'application/json' });
    const raw = Buffer.from([1, 2]);
    expect(encodeBody(raw)).toEqual({ body: raw, contentType: 'application/octet-stream' });
    expect(encodeBody(raw, 'text/plain').contentType).toBe('text/plain');
    expect(encodeBody(undefined).body).toHaveLength(0);
  });

  it('decodes by content type, JSON when none is given (other AMQP clients often omit it)', () => {
    expect(decodeBody(Buffer.from('{"a":1}'), {})).toEqual({ a: 1 });
    expect(decodeBody(Buffer.from('{"a":1}'), { contentType: 'application/vnd.x+json' })).toEqual({ a: 1 });
    expect(decodeBody(Buffer.from('hi'), { contentType: 'text/plain; charset=utf-8' })).toBe('hi');
    expect(decodeBody(Buffer.from([7]), { contentType: 'application/octet-stream' })).toEqual(
      Buffer.from([7]),
    );
    expect(decodeBody(Buffer.alloc(0), { contentType: 'application/json' })).toBeUndefined();
  });

  it('throws PayloadDecodeError for a body that is not JSON', () => {
    expect(() => decodeBody(Buffer.from('{oops'), { contentType: 'application/json' })).toThrow(
      PayloadDecodeError,
    );
  });

  it('reads the attempt header defensively', () => {
    const delivery = (headers?: Record<string, unknown>) => ({
      body: Buffer.alloc(0),
      properties: { headers },
      redelivered: false,
      queue: 'q',
    });
    expect(attemptOf(delivery())).toBe(1);
    expect(attemptOf(delivery({ [WireHeaders.ATTEMPT]: 3 }))).toBe(3);
    expect(attemptOf(delivery({ [WireHeaders.ATTEMPT]: 'nonsense' }))).toBe(1);
  });

  it("drops the broker's dead-letter bookkeeping from republished copies", () => {
    expect(
      carriedHeaders({ a: 1, 'x-death': [], 'x-first-death-queue': 'q', 'x-last-death-reason': 'expired' }),
    ).toEqual({ a: 1 });
  });
});
