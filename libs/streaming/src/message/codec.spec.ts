import { PayloadDecodeError } from '@databus/common';
import { decodePayload, encodePayload, encodePayloadText } from './codec';

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

describe('decodePayload', () => {
  const where = { sequence: 4, dataset: 'readings' };
  /** A record whose `headers` must not be read: the content type comes through `header()`. */
  function viaHeader(body: string, contentType: string | undefined) {
    const asked: string[] = [];
    const record = {
      data: Buffer.from(body),
      get headers(): Record<string, string> {
        throw new Error('headers were built');
      },
      header: (name: string) => (asked.push(name), contentType),
    };
    return { record, asked };
  }

  it("reads the content type through the record's header() when it has one, building no headers", () => {
    const json = viaHeader('{"a":1}', 'application/json');
    expect(decodePayload(json.record, 'json', where)).toEqual({ a: 1 });
    expect(json.asked).toEqual(['content-type']);
    expect(decodePayload(viaHeader('hi', 'text/plain; charset=utf-8').record, 'json', where)).toBe('hi');
    expect(decodePayload(viaHeader('[2]', undefined).record, 'json', where)).toEqual([2]);
    expect(() => decodePayload(viaHeader('x', 'application/octet-stream').record, 'json', where)).toThrow(
      new PayloadDecodeError(
        'The body of message 4 of "readings" is binary (application/octet-stream); use decode: \'raw\'.',
      ),
    );
  });

  it('reads the content type from headers when the record has no header(), and none for text or raw', () => {
    const headers = { 'content-type': 'text/plain' };
    expect(decodePayload({ data: Buffer.from('{"a":1}'), headers }, 'json', where)).toBe('{"a":1}');
    const raw = viaHeader('{}', 'application/json');
    expect(decodePayload(raw.record, 'raw', where)).toBe(raw.record.data);
    expect(decodePayload(raw.record, 'text', where)).toBe('{}');
    expect(raw.asked).toEqual([]);
  });
});
