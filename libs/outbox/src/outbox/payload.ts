/** How a payload is stored in `databus_outbox.payload`, so the relay hands the broker what the caller gave. */
export type PayloadEncoding = 'json' | 'text' | 'bytes';

/** Encodes a payload the way `ChannelService.produce` / `TaskQueue.enqueue` would see it. */
export function encodeOutboxPayload(value: unknown): { encoding: PayloadEncoding; bytes: Buffer } {
  if (Buffer.isBuffer(value)) return { encoding: 'bytes', bytes: value };
  if (value instanceof Uint8Array)
    return { encoding: 'bytes', bytes: Buffer.from(value.buffer, value.byteOffset, value.byteLength) };
  if (typeof value === 'string') return { encoding: 'text', bytes: Buffer.from(value, 'utf8') };
  return { encoding: 'json', bytes: Buffer.from(JSON.stringify(value === undefined ? null : value), 'utf8') };
}

/** The value to publish for a stored payload. */
export function decodeOutboxPayload(encoding: PayloadEncoding, bytes: Buffer): unknown {
  if (encoding === 'bytes') return bytes;
  const text = bytes.toString('utf8');
  return encoding === 'text' ? text : JSON.parse(text);
}
