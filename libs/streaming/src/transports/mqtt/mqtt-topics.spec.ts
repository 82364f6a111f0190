import { ConfigurationError } from '@databus/common';
import { claimSessionId, ephemeralId } from './mqtt-session-ids';
import { parseDatasetPattern } from '../../transport/dataset-pattern';
import {
  assertDatasetTopic,
  assertGroupName,
  datasetOfTopic,
  patternFilter,
  subscriptionFilter,
  topicOf,
} from './mqtt-topics';

describe('mqtt topics and session ids', () => {
  it('accepts plain and hierarchical datasets, rejects wildcards and system topics', () => {
    expect(assertDatasetTopic('sensor-readings')).toBe('sensor-readings');
    expect(assertDatasetTopic('site/a/readings')).toBe('site/a/readings');
    for (const bad of ['', 'a/+', 'a/#', '$SYS/x'])
      expect(() => assertDatasetTopic(bad)).toThrow(ConfigurationError);
    expect(() => assertGroupName('a/b')).toThrow(/shared subscription/);
    expect(subscriptionFilter('ds', 'g')).toBe('$share/g/ds');
    expect(subscriptionFilter('ds', undefined)).toBe('ds');
  });

  it('maps the dots of a dataset name to topic levels, for publishing and for both filters', () => {
    expect(topicOf('site.a.readings')).toBe('site/a/readings');
    expect(topicOf('readings')).toBe('readings');
    expect(subscriptionFilter('site.a.readings', undefined)).toBe('site/a/readings');
    expect(subscriptionFilter('site.a.readings.dlq', 'g')).toBe('$share/g/site/a/readings/dlq');
  });

  it('maps a dataset pattern to an MQTT filter: * is +, > is +/# (one or more levels, not the parent)', () => {
    const pattern = (text: string) => parseDatasetPattern({ pattern: text }, 'p');
    expect(patternFilter(pattern('sensors.*.temp'))).toBe('sensors/+/temp');
    expect(patternFilter(pattern('orders.>'))).toBe('orders/+/#');
    expect(patternFilter(pattern('*.*'))).toBe('+/+');
    expect(subscriptionFilter('orders.>', 'g', pattern('orders.>'))).toBe('$share/g/orders/+/#');
  });

  it('names the dataset of a topic, and none for a topic whose levels hold dots', () => {
    expect(datasetOfTopic('sensors/a/temp')).toBe('sensors.a.temp');
    expect(datasetOfTopic('readings')).toBe('readings');
    expect(datasetOfTopic('sensors/a.b/temp')).toBeUndefined();
  });

  it('gives a stable session id per (clientId, dataset, group) and a distinct one per live member', () => {
    const [first, releaseFirst] = claimSessionId('app', 'ds', 'g');
    const [second, releaseSecond] = claimSessionId('app', 'ds', 'g');
    expect(first).toBe('app:g:ds');
    expect(second).toBe('app:g:ds#2');
    releaseFirst();
    const [again, releaseAgain] = claimSessionId('app', 'ds', 'g');
    expect(again).toBe(first);
    releaseSecond();
    releaseAgain();
    const [long, releaseLong] = claimSessionId('app', 'x'.repeat(300), 'g');
    expect(long.length).toBeLessThanOrEqual(100);
    expect(claimSessionId('app', 'x'.repeat(300), 'g')[0]).toBe(`${long}#2`);
    releaseLong();
    expect(ephemeralId('app', 'main')).not.toBe(ephemeralId('app', 'main'));
  });
});
