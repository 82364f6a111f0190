import { ConfigurationError } from '../errors';
import {
  assertDuration,
  assertInteger,
  assertNonEmptyString,
  assertOneOf,
  describe as describeValue,
} from './validate';

describe('option validators', () => {
  it('assertInteger returns a valid value and names the option of a bad one', () => {
    expect(assertInteger(4, 'concurrency', 1, 64)).toBe(4);
    expect(() => assertInteger(0, 'concurrency', 1, 64)).toThrow(
      'Invalid option "concurrency": expected an integer between 1 and 64, received 0.',
    );
    expect(() => assertInteger(1.5, 'batch', 1)).toThrow('expected an integer >= 1, received 1.5');
    expect(() => assertInteger('3', 'batch')).toThrow(ConfigurationError);
    expect(() => assertInteger(Number.NaN, 'batch')).toThrow(/received NaN/);
  });

  it('assertDuration accepts finite milliseconds within bounds only', () => {
    expect(assertDuration(0, 'maxWaitMs')).toBe(0);
    expect(assertDuration(2.5, 'maxWaitMs')).toBe(2.5);
    expect(() => assertDuration(Infinity, 'maxWaitMs')).toThrow(
      /"maxWaitMs": expected a number of milliseconds >= 0/,
    );
    expect(() => assertDuration(-1, 'timeoutMs')).toThrow(ConfigurationError);
    expect(() => assertDuration(2_147_483_648, 'timeoutMs')).toThrow(ConfigurationError);
    expect(() => assertDuration(10, 'timeoutMs', 100, 1000)).toThrow('between 100 and 1000');
  });

  it('assertNonEmptyString rejects blank and non-string values', () => {
    expect(assertNonEmptyString('stats', 'group')).toBe('stats');
    for (const bad of ['', '  ', undefined, 7])
      expect(() => assertNonEmptyString(bad, 'group')).toThrow(expect.objectContaining({ option: 'group' }));
  });

  it('assertOneOf lists the allowed values', () => {
    expect(assertOneOf('earliest', 'offset', ['latest', 'earliest', 'none'] as const)).toBe('earliest');
    expect(() => assertOneOf('oldest', 'offset', ['latest', 'earliest', 'none'])).toThrow(
      'Invalid option "offset": expected one of "latest", "earliest", "none", received "oldest".',
    );
  });

  it('describes received values briefly, never repeating long strings', () => {
    expect(describeValue(undefined)).toBe('undefined');
    expect(describeValue(null)).toBe('null');
    expect(describeValue(true)).toBe('true');
    expect(describeValue('short')).toBe('"short"');
    expect(describeValue('x'.repeat(41))).toBe('a string of 41 characters');
    expect(describeValue([1, 2])).toBe('an array of 2');
    expect(describeValue({ password: 'p' })).toBe('a object');
  });
});
