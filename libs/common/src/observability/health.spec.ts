import { healthResult } from './health';

describe('healthResult', () => {
  it('puts the verdict and the details under the key', () => {
    expect(
      healthResult('queue', { status: 'down', reason: 'connection closed' }, { backend: 'rabbitmq' }),
    ).toEqual({
      queue: { status: 'down', reason: 'connection closed', backend: 'rabbitmq' },
    });
  });

  it('marks a degraded check up, with its reason', () => {
    expect(
      healthResult('streaming', { status: 'up', degraded: true, reason: 'transport reconnecting' }, {})
        .streaming,
    ).toEqual({ status: 'up', degraded: true, reason: 'transport reconnecting' });
  });

  it('has no degraded flag and no reason when all is well', () => {
    const entry = healthResult('s', { status: 'up' }, { handlers: [] }).s;
    expect(entry).toEqual({ status: 'up', handlers: [] });
    expect(entry.degraded).toBeUndefined();
  });
});
