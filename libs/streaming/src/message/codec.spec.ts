import { encodePayload, encodePayloadText } from './codec';

describe('encodePayload / encodePayloadText', () => {
  const cases: Array<[string, unknown, string, string]> = [
    ['an object as JSON', { a: 1 }, 'application/json', '{"a":1}'],
    ['undefined as JSON null', undefined, 'application/json', 'null'],
    ['a string as UTF-8 text', 'zß€', 'text/plain; charset=utf-8', 'zß€'],
  ];

  it.each(cases)('encodes %s, as bytes and as the same text', (_name, value, contentType, body) => {
    const bytes = encodePayload(value);
    const text = encodePayloadText(value);
    expect(bytes.contentType).toBe(contentType);
    expect(bytes.data.toString('utf8')).toBe(body);
    expect(text).toEqual({ text: body, contentType });
  });

  it('sends a Buffer as is, octet-stream, on both paths', () => {
    const data = Buffer.from([1, 2, 3]);
    expect(encodePayload(data).data).toBe(data);
    expect(encodePayloadText(data)).toEqual({ data, contentType: 'application/octet-stream' });
  });

  it('keeps a Uint8Array view to its own bytes (offset and length), without copying', () => {
    const backing = new Uint8Array([9, 1, 2, 9]);
    const view = backing.subarray(1, 3);
    const { data, contentType } = encodePayload(view);
    expect(contentType).toBe('application/octet-stream');
    expect([...data]).toEqual([1, 2]);
    backing[1] = 7;
    expect(data[0]).toBe(7);
    expect(encodePayloadText(view).text).toBeUndefined();
  });
});
