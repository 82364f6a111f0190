import { ConfigurationError } from '@databus/common';
import { assertNotDatasetPattern, isDatasetPattern, parseDatasetPattern } from './dataset-pattern';

const matches = (pattern: string, names: string[]): string[] =>
  names.filter((name) => parseDatasetPattern({ pattern }, 'p').matches(name));

describe('dataset patterns', () => {
  it('* matches exactly one part, > one or more trailing parts', () => {
    expect(
      matches('sensors.*.temp', ['sensors.a.temp', 'sensors.temp', 'sensors.a.b.temp', 'x.a.temp']),
    ).toEqual(['sensors.a.temp']);
    expect(matches('orders.>', ['orders', 'orders.eu', 'orders.eu.paid', 'ordersx.eu'])).toEqual([
      'orders.eu',
      'orders.eu.paid',
    ]);
    expect(matches('*.temp', ['a.temp', 'a.b.temp', 'temp'])).toEqual(['a.temp']);
  });

  it('never matches a dead-letter dataset unless the pattern ends in dlq, nor a non-portable name', () => {
    expect(matches('orders.>', ['orders.eu.dlq', 'orders.dlq'])).toEqual([]);
    expect(matches('orders.*.dlq', ['orders.eu.dlq'])).toEqual(['orders.eu.dlq']);
    expect(matches('>', ['$KV.bucket.key', 'a b', 'ok'])).toEqual(['ok']);
  });

  it.each([
    ['', 'empty'],
    ['a..*', 'empty part'],
    ['a.>.b', '">" before the last part'],
    ['a.b*', 'wildcard inside a part'],
    ['a/+/b', 'MQTT syntax'],
    ['a.b', 'no wildcard'],
  ])('refuses %j (%s) with a ConfigurationError naming the option', (pattern) => {
    let error: unknown;
    try {
      parseDatasetPattern({ pattern }, '@OnDatasetMessage on A.b: pattern');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error).toMatchObject({ option: '@OnDatasetMessage on A.b: pattern' });
  });

  it('tells a pattern from a name, and refuses one where a single dataset is needed', () => {
    expect(isDatasetPattern({ pattern: 'a.*' })).toBe(true);
    expect(isDatasetPattern('a.*')).toBe(false);
    expect(isDatasetPattern(['a'])).toBe(false);
    expect(() => assertNotDatasetPattern('a.*.b', 'produce: dataset')).toThrow(/produce: dataset/);
    expect(() => assertNotDatasetPattern({ pattern: 'a.>' }, 'request: dataset')).toThrow(ConfigurationError);
    expect(() => assertNotDatasetPattern('a*b.c', 'produce: dataset')).not.toThrow();
  });
});
