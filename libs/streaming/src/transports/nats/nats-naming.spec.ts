import { ConfigurationError } from '@databus/common';
import { datasetSubject, jetStreamName } from './nats-naming';

describe('nats naming', () => {
  it('puts a dataset on its own subject, with the prefix', () => {
    expect(datasetSubject('', 'sensor-readings')).toBe('sensor-readings');
    expect(datasetSubject('acme.', 'sensor.readings.dlq')).toBe('acme.sensor.readings.dlq');
  });

  it.each(['a b', 'a.*', 'a.>', 'a..b', '.a', 'a.'])('rejects the dataset %j', (dataset) => {
    expect(() => datasetSubject('', dataset)).toThrow(ConfigurationError);
  });

  it('keeps safe names and hashes changed ones so that they cannot collide', () => {
    expect(jetStreamName('DATABUS_', 'sensor-readings')).toBe('DATABUS_sensor-readings');
    const dotted = jetStreamName('DATABUS_', 'a.b');
    const underscored = jetStreamName('DATABUS_', 'a_b');
    expect(dotted).toMatch(/^DATABUS_a_b_[0-9a-f]{8}$/);
    expect(underscored).toBe('DATABUS_a_b');
    expect(dotted).not.toBe(underscored);
    expect(jetStreamName('', 'group one')).toMatch(/^group_one_[0-9a-f]{8}$/);
  });
});
