import { decodeOutboxPayload, encodeOutboxPayload } from './payload';

describe('outbox payload encoding', () => {
  it.each([
    ['an object', { a: 1, b: [true, null] }, 'json'],
    ['a string', 'plain text', 'text'],
    ['bytes', Buffer.from([0, 1, 255]), 'bytes'],
    ['undefined (as null)', undefined, 'json'],
  ])('gives the relay back %s as the caller passed it', (_what, value, encoding) => {
    const stored = encodeOutboxPayload(value);
    expect(stored.encoding).toBe(encoding);
    expect(decodeOutboxPayload(stored.encoding, stored.bytes)).toEqual(value === undefined ? null : value);
  });
});
