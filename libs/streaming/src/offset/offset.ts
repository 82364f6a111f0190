import { ConfigurationError } from '@databus/common';

/** Start at the oldest message the dataset still holds. */
export interface BeginOffset {
  readonly kind: 'begin';
}
/** Start with the next message produced after subscribing ("now"). */
export interface LatestOffset {
  readonly kind: 'latest';
}
/** Require a committed position: subscribing a group that has none fails with `NoCommittedPositionError`. */
export interface NoneOffset {
  readonly kind: 'none';
}
/** Start at a sequence number (the first message has sequence 1 on memory, offset 0 on Kafka). */
export interface SequenceOffset {
  readonly kind: 'sequence';
  readonly sequence: number;
}
/** Start at the first message stored at or after a point in time. */
export interface TimeOffset {
  readonly kind: 'time';
  readonly time: Date;
}

/**
 * A position in a dataset: where a new subscription starts, or where `seek` moves one.
 * Build them with `Offset.BEGIN`, `Offset.LATEST`, `Offset.NONE`, `Offset.sequence(n)`, `Offset.time(date)`.
 * @publicApi
 */
export type Offset = BeginOffset | LatestOffset | NoneOffset | SequenceOffset | TimeOffset;

/** The channel client's names for start positions: `latest`, `earliest`, `none`. @publicApi */
export type OffsetName = 'latest' | 'earliest' | 'none' | 'begin';

const BEGIN: BeginOffset = Object.freeze({ kind: 'begin' });
const LATEST: LatestOffset = Object.freeze({ kind: 'latest' });
const NONE: NoneOffset = Object.freeze({ kind: 'none' });

/** @publicApi */
export const Offset = Object.freeze({
  /** The oldest message still stored. */
  BEGIN,
  /** Only messages produced from now on (the default for a new group). */
  LATEST,
  /** Resume from the committed position; fail if the group has none. */
  NONE,
  /** The message with this sequence number (inclusive). */
  sequence(sequence: number): SequenceOffset {
    if (!Number.isSafeInteger(sequence) || sequence < 0)
      throw new ConfigurationError('Offset.sequence', 'a sequence number >= 0', {
        received: String(sequence),
      });
    return Object.freeze({ kind: 'sequence', sequence });
  },
  /** The first message stored at or after `time`. */
  time(time: Date | number): TimeOffset {
    const date = time instanceof Date ? time : new Date(time);
    if (Number.isNaN(date.getTime()))
      throw new ConfigurationError('Offset.time', 'a valid Date or epoch milliseconds');
    return Object.freeze({ kind: 'time', time: date });
  },
});

/**
 * Accepts an `Offset` or one of the channel client's names (`latest`, `earliest`, `none`) and returns an
 * `Offset`; `option` names the option in errors.
 */
export function toOffset(
  value: Offset | OffsetName | undefined,
  option: string,
  fallback: Offset = LATEST,
): Offset {
  if (value === undefined) return fallback;
  if (typeof value === 'string') {
    if (value === 'latest') return LATEST;
    if (value === 'earliest' || value === 'begin') return BEGIN;
    if (value === 'none') return NONE;
  } else if (value && typeof value === 'object') {
    if (value.kind === 'begin' || value.kind === 'latest' || value.kind === 'none') return value;
    if (value.kind === 'sequence') return Offset.sequence(value.sequence);
    if (value.kind === 'time') return Offset.time(value.time);
  }
  throw new ConfigurationError(
    option,
    'Offset.BEGIN, Offset.LATEST, Offset.NONE, Offset.sequence(n), Offset.time(date) or "latest" | "earliest" | "none"',
  );
}

/** A readable form for logs and errors: `begin`, `sequence 42`, `time 2026-…`. */
export function describeOffset(offset: Offset): string {
  switch (offset.kind) {
    case 'sequence':
      return `sequence ${offset.sequence}`;
    case 'time':
      return `time ${offset.time.toISOString()}`;
    default:
      return offset.kind;
  }
}
