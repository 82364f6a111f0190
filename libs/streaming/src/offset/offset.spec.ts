import { ConfigurationError } from '@databus/common';
import { Offset, toOffset } from './offset';

/** The error `toOffset` throws for `value`, for asserting on its option and message. */
function refusal(value: unknown, option = "subscribe('readings'): offset"): ConfigurationError {
  try {
    toOffset(value, option);
  } catch (error) {
    if (error instanceof ConfigurationError) return error;
    throw error;
  }
  throw new Error(`toOffset accepted ${String(value)}`);
}

describe('toOffset: what a position may be written as', () => {
  it('takes a non-negative integer as a sequence, the same as Offset.sequence(n)', () => {
    expect(toOffset(5, 'offset')).toEqual(Offset.sequence(5));
    expect(toOffset(0, 'offset')).toEqual(Offset.sequence(0));
    expect(toOffset(Number.MAX_SAFE_INTEGER, 'offset')).toEqual(Offset.sequence(Number.MAX_SAFE_INTEGER));
  });

  it('takes a valid Date as a time, the same as Offset.time(date)', () => {
    const when = new Date('2026-12-01T10:00:00Z');
    expect(toOffset(when, 'offset')).toEqual(Offset.time(when));
    expect(toOffset(when, 'offset')).toEqual({ kind: 'time', time: when });
  });

  it('keeps the Offset forms and the channel client names', () => {
    expect(toOffset(Offset.BEGIN, 'offset')).toBe(Offset.BEGIN);
    expect(toOffset(Offset.sequence(3), 'offset')).toEqual({ kind: 'sequence', sequence: 3 });
    expect(toOffset('earliest', 'offset')).toBe(Offset.BEGIN);
    expect(toOffset('latest', 'offset')).toBe(Offset.LATEST);
    expect(toOffset('none', 'offset')).toBe(Offset.NONE);
  });

  it('gives the fallback for undefined, and refuses undefined when there is none (seek)', () => {
    expect(toOffset(undefined, 'offset')).toBe(Offset.LATEST);
    expect(toOffset(undefined, 'offset', Offset.BEGIN)).toBe(Offset.BEGIN);
    expect(() => toOffset(undefined, "seek('readings'): offset", null)).toThrow(
      /Invalid option "seek\('readings'\): offset".*received undefined/,
    );
  });

  it.each([
    [NaN, 'NaN'],
    [-1, '-1'],
    [1.5, '1.5'],
    [Infinity, 'Infinity'],
    [Number.MAX_SAFE_INTEGER + 1, String(Number.MAX_SAFE_INTEGER + 1)],
    [new Date('not a date'), 'an invalid Date'],
    ['5', '"5"'],
    ['first', '"first"'],
    [{}, 'an object without "kind"'],
    [[5], 'an array of 1'],
    [null, 'null'],
    [{ kind: 'sequence', sequence: -1 }, '{ kind: "sequence", sequence: -1 }'],
    [{ kind: 'sequence', sequence: '5' }, '{ kind: "sequence", sequence: "5" }'],
    [{ kind: 'time', time: new Date(NaN) }, '{ kind: "time", time: an invalid Date }'],
    [{ kind: 'time', time: '2026-12-01' }, '{ kind: "time", time: "2026-12-01" }'],
    [{ kind: 'offset', offset: 5 }, '{ kind: "offset" }'],
  ])('refuses %p with a ConfigurationError naming the option and the value', (value, received) => {
    const error = refusal(value);
    expect(error.option).toBe("subscribe('readings'): offset");
    expect(error.message).toContain(`received ${received}.`);
    expect(error.message).toContain('a sequence number >= 0, a valid Date');
  });
});
