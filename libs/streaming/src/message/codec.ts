import { PayloadDecodeError } from '@databus/common';
import { headerOf, HeaderSource } from '../transport/record-header';
import { IncomingRecord } from '../transport/transport-record.interface';
import { DatabusHeaders } from './headers';

/** How a handler wants its payload: parsed JSON (default), text, or the raw bytes. @publicApi */
export type PayloadDecoding = 'json' | 'text' | 'raw';

/**
 * Encodes a value for the wire:
 * - `Buffer` / `Uint8Array`: sent as is, `application/octet-stream`;
 * - `string`: UTF-8, `text/plain`;
 * - anything else: `JSON.stringify`, `application/json`.
 */
export function encodePayload(value: unknown): { data: Buffer; contentType: string } {
  const encoded = encodePayloadText(value);
  if (encoded.text === undefined) return encoded as { data: Buffer; contentType: string };
  return { data: Buffer.from(encoded.text, 'utf8'), contentType: encoded.contentType };
}

/**
 * Encodes a value like `encodePayload` (the one home of its rules), keeping a JSON or string value as text
 * (`text`) instead of bytes (`data`): exactly one of them is set.
 */
export function encodePayloadText(value: unknown): { data?: Buffer; text?: string; contentType: string } {
  if (Buffer.isBuffer(value)) return { data: value, contentType: 'application/octet-stream' };
  if (value instanceof Uint8Array)
    return {
      data: Buffer.from(value.buffer, value.byteOffset, value.byteLength),
      contentType: 'application/octet-stream',
    };
  if (typeof value === 'string') return { text: value, contentType: 'text/plain; charset=utf-8' };
  return { text: JSON.stringify(value === undefined ? null : value), contentType: 'application/json' };
}

/**
 * Which message a decode error names: a text, or the message itself (its description is then built only
 * when decoding fails, not for every message).
 */
export type DecodeSubject = string | { readonly sequence: number; readonly dataset: string };

function describeSubject(where: DecodeSubject): string {
  return typeof where === 'string' ? where : `message ${where.sequence} of "${where.dataset}"`;
}

/** Parses JSON, failing with a `PayloadDecodeError` that names the dataset and sequence but never echoes the body. */
export function decodeJson<T>(data: Buffer, where: DecodeSubject): T {
  try {
    return JSON.parse(data.toString('utf8')) as T;
  } catch (error) {
    throw new PayloadDecodeError(
      `The body of ${describeSubject(where)} is not valid JSON (${data.length} bytes).`,
      {
        cause: error,
      },
    );
  }
}

/**
 * A record's `content-type`, through `IncomingRecord.header` where the transport has it (its headers are then
 * not built for it), else from `headers`.
 */
export function contentTypeOf(record: HeaderSource): string | undefined {
  return headerOf(record, DatabusHeaders.CONTENT_TYPE);
}

/**
 * Decodes a record's body the way a handler asked for it. JSON decoding of a `text/plain` body returns the
 * text. The content type is read only for JSON decoding (see `contentTypeOf`).
 */
export function decodePayload(
  record: Pick<IncomingRecord, 'data' | 'headers' | 'header'>,
  decoding: PayloadDecoding,
  where: DecodeSubject,
): unknown {
  const data = record.data;
  if (decoding === 'raw') return data;
  if (decoding === 'text') return data.toString('utf8');
  const type = contentTypeOf(record);
  if (type?.startsWith('text/plain')) return data.toString('utf8');
  if (type === 'application/octet-stream')
    throw new PayloadDecodeError(
      `The body of ${describeSubject(where)} is binary (application/octet-stream); use decode: 'raw'.`,
    );
  return decodeJson(data, where);
}
