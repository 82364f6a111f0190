import { NoCommittedPositionError } from '../../errors';
import { Offset, unknownOffset } from '../../offset/offset';

/**
 * A place in a stream: an exact offset, the oldest message (`first`), only new messages (`next`), or the
 * first message stored at or after a time (`time`, epoch milliseconds).
 */
export type StreamPosition =
  { kind: 'offset'; offset: number } | { kind: 'first' } | { kind: 'next' } | { kind: 'time'; ms: number };

/**
 * Where a subscription starting at `offset` begins (`now` for LATEST and for storing it).
 * `Offset.NONE` needs a committed position, so it fails here with `NoCommittedPositionError`.
 */
export function positionOf(offset: Offset, dataset: string, group?: string): StreamPosition {
  switch (offset.kind) {
    case 'begin':
      return { kind: 'first' };
    case 'latest':
      return { kind: 'next' };
    case 'sequence':
      return { kind: 'offset', offset: offset.sequence };
    case 'time':
      return { kind: 'time', ms: offset.time.getTime() };
    case 'none':
      throw new NoCommittedPositionError(dataset, group);
    default:
      return unknownOffset(offset, 'offset');
  }
}

/** The `x-stream-offset` consumer argument for a position (timestamps in seconds, offsets as AMQP longs). */
export function streamOffsetArgument(position: StreamPosition): unknown {
  switch (position.kind) {
    case 'offset':
      return { '!': 'long', value: position.offset };
    case 'first':
      return 'first';
    case 'next':
      return 'next';
    case 'time':
      return { '!': 'timestamp', value: Math.floor(position.ms / 1000) };
  }
}

/**
 * The body stored in a group's position store. `next` is stored as the time it was chosen, so a group that
 * never received a message resumes at "new since it was created" after a restart.
 */
export function encodePosition(position: StreamPosition, now = Date.now()): Buffer {
  switch (position.kind) {
    case 'offset':
      return Buffer.from(JSON.stringify({ offset: position.offset }));
    case 'first':
      return Buffer.from(JSON.stringify({ first: true }));
    case 'next':
      return Buffer.from(JSON.stringify({ time: now }));
    case 'time':
      return Buffer.from(JSON.stringify({ time: position.ms }));
  }
}

/** Reads a stored position; `undefined` for a body this transport did not write. */
export function decodePosition(body: Buffer): StreamPosition | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  if (!value || typeof value !== 'object') return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.offset === 'number' && Number.isSafeInteger(v.offset) && v.offset >= 0)
    return { kind: 'offset', offset: v.offset };
  if (v.first === true) return { kind: 'first' };
  if (typeof v.time === 'number' && Number.isFinite(v.time)) return { kind: 'time', ms: v.time };
  return undefined;
}
