import { requestStats } from '../../src/client/stats-client';
import { expectedStats, postReadings } from './demo-harness';

/**
 * The flow for one fresh sensor: readings in, GET → 202, the notification, then 200 with the right
 * numbers (through the course's client flow, `requestStats`), and 200 straight away the second time.
 */
export async function checkStatsFlow(baseUrl: string, sensor: string, values: number[]): Promise<void> {
  const sequences = await postReadings(baseUrl, sensor, values);
  expect([...sequences].sort((a, b) => a - b)).toEqual(sequences); // one key: in order
  // POST answers once the reading is stored: the readings are all there at once, no waiting.
  const list = (await (await fetch(`${baseUrl}/api/sensors`)).json()) as { sensor: string; count: number }[];
  expect(list.find((s) => s.sensor === sensor)?.count).toBe(values.length);

  const first = await requestStats({ baseUrl, sensor, timeoutMs: 20_000 });
  expect(first.via).toBe(202);
  const expected = expectedStats(values);
  expect(first.stats).toEqual({
    count: expected.count,
    mean: expect.closeTo(expected.mean, 9),
    min: expected.min,
    max: expected.max,
    stddev: expect.closeTo(expected.stddev, 9),
    generated: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
  });

  const again = await requestStats({ baseUrl, sensor, timeoutMs: 20_000 });
  expect(again).toEqual({ via: 200, stats: first.stats });
}
