import { StatsDto } from './stats.dto';

/** Count, mean, min, max and population standard deviation of `values` (Welford's one-pass method). */
export function computeStats(values: readonly number[], generated: Date = new Date()): StatsDto {
  if (values.length === 0) throw new RangeError('computeStats: no values');
  let mean = 0;
  let m2 = 0;
  let min = Infinity;
  let max = -Infinity;
  values.forEach((value, index) => {
    const delta = value - mean;
    mean += delta / (index + 1);
    m2 += delta * (value - mean);
    if (value < min) min = value;
    if (value > max) max = value;
  });
  return {
    count: values.length,
    mean,
    min,
    max,
    stddev: Math.sqrt(m2 / values.length),
    generated: generated.toISOString(),
  };
}
