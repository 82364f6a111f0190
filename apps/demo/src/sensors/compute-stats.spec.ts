import { computeStats } from './compute-stats';

describe('computeStats', () => {
  it('computes count, mean, min, max and the population standard deviation', () => {
    const stats = computeStats([2, 4, 4, 4, 5, 5, 7, 9], new Date('2026-01-01T00:00:00Z'));
    expect(stats).toEqual({
      count: 8,
      mean: 5,
      min: 2,
      max: 9,
      stddev: 2,
      generated: '2026-01-01T00:00:00.000Z',
    });
  });

  it('handles a single value and negative numbers', () => {
    expect(computeStats([-3.5])).toMatchObject({ count: 1, mean: -3.5, min: -3.5, max: -3.5, stddev: 0 });
  });

  it('stays accurate for large offsets', () => {
    const stats = computeStats([1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16]);
    expect(stats.mean).toBeCloseTo(1e9 + 10, 6);
    expect(stats.stddev).toBeCloseTo(Math.sqrt(22.5), 6);
  });

  it('refuses an empty list', () => {
    expect(() => computeStats([])).toThrow(RangeError);
  });
});
