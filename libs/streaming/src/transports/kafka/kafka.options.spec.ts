import { ConfigurationError } from '@databus/common';
import { resolveKafkaOptions } from './kafka.options';

describe('kafka transport options: replication of created topics', () => {
  it('takes replicationFactor and minInsyncReplicas up to it', () => {
    expect(resolveKafkaOptions({ replicationFactor: 3, minInsyncReplicas: 2 })).toMatchObject({
      replicationFactor: 3,
      minInsyncReplicas: 2,
    });
    expect(resolveKafkaOptions({}).minInsyncReplicas).toBeUndefined();
  });

  it.each([
    [{ minInsyncReplicas: 2 }, /replicationFactor with it/],
    [{ replicationFactor: 3, minInsyncReplicas: 4 }, /between 1 and 3/],
    [{ replicationFactor: 3, minInsyncReplicas: 0 }, /between 1 and 3/],
  ])('refuses minInsyncReplicas %j, naming the option', (raw, text) => {
    const error = (() => {
      try {
        resolveKafkaOptions(raw);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).option).toBe('transportOptions.minInsyncReplicas');
    expect((error as Error).message).toMatch(text);
  });
});
