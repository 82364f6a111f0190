import { ConfigurationError } from '@databus/common';
import { describeValue } from '@databus/common/internal';

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
 * What `subscribe({ offset })`, `open({ offset })`, `@OnDatasetMessage(…, { offset })` and `sub.seek()`
 * accept: an `Offset`, one of the channel client's names, a sequence number (a non-negative integer, the same
 * as `Offset.sequence(n)`) or a `Date` (the same as `Offset.time(date)`), as the dataset client's users write
 * them (`sub.seek(5)`, `sub.seek(fiveMinutesAgo)`).
 * @publicApi
 */
export type OffsetInput = Offset | OffsetName | number | Date;

const EXPECTED =
  'Offset.BEGIN, Offset.LATEST, Offset.NONE, Offset.sequence(n), Offset.time(date), a sequence number >= 0, a valid Date or "latest" | "earliest" | "none"';

/**
 * Normalises what a user wrote as a position (see `OffsetInput`) to an `Offset`; `undefined` gives
 * `fallback` (`Offset.LATEST` unless given; with `null`, `undefined` is refused too, as `seek()` does).
 * Anything else (NaN, a negative or fractional number, an invalid `Date`, another string, an object of
 * another shape) is a `ConfigurationError` naming `option` and the value, so no transport ever receives a
 * position it would misread.
 */
export function toOffset(value: unknown, option: string, fallback: Offset | null = LATEST): Offset {
  if (value === undefined && fallback) return fallback;
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value) && value >= 0) return Offset.sequence(value);
  } else if (value instanceof Date) {
    if (!Number.isNaN(value.getTime())) return Offset.time(value);
  } else if (typeof value === 'string') {
    if (value === 'latest') return LATEST;
    if (value === 'earliest' || value === 'begin') return BEGIN;
    if (value === 'none') return NONE;
  } else if (value && typeof value === 'object') {
    const offset = value as { kind?: unknown; sequence?: unknown; time?: unknown };
    if (offset.kind === 'begin') return BEGIN;
    if (offset.kind === 'latest') return LATEST;
    if (offset.kind === 'none') return NONE;
    if (
      offset.kind === 'sequence' &&
      Number.isSafeInteger(offset.sequence) &&
      (offset.sequence as number) >= 0
    )
      return Offset.sequence(offset.sequence as number);
    if (offset.kind === 'time' && offset.time instanceof Date && !Number.isNaN(offset.time.getTime()))
      return Offset.time(offset.time);
  }
  throw new ConfigurationError(option, EXPECTED, { received: describeOffsetInput(value) });
}

/** A short description of a value given as a position, for errors (`NaN`, `-1`, `an invalid Date`, …). */
function describeOffsetInput(value: unknown): string {
  if (value instanceof Date)
    return Number.isNaN(value.getTime()) ? 'an invalid Date' : `Date ${value.toISOString()}`;
  if (value && typeof value === 'object' && 'kind' in value) {
    const { kind, sequence, time } = value as { kind: unknown; sequence?: unknown; time?: unknown };
    const detail =
      sequence !== undefined
        ? `, sequence: ${describeValue(sequence)}`
        : time !== undefined
          ? `, time: ${time instanceof Date ? describeOffsetInput(time) : describeValue(time)}`
          : '';
    return `{ kind: ${describeValue(kind)}${detail} }`;
  }
  if (value && typeof value === 'object' && !Array.isArray(value)) return 'an object without "kind"';
  return describeValue(value);
}

/**
 * For a transport's `switch (offset.kind)`: an offset of no known kind (only possible when a caller bypassed
 * `toOffset`) fails loudly instead of falling through to a default position.
 */
export function unknownOffset(offset: never, where: string): never {
  throw new ConfigurationError(where, EXPECTED, { received: describeOffsetInput(offset) });
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
