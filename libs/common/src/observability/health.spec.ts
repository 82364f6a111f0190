import { connectionHealth, connectionVerdict, healthResult } from './health';

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

describe('connectionHealth: the one rule of the connection indicators (streaming, queue)', () => {
  const running = [{ id: 'a', state: 'running' }];

  it('is down when the connection is closed, or failed with its error', () => {
    expect(connectionVerdict({ subject: 'connection', state: 'closed', handlers: running })).toEqual({
      status: 'down',
      reason: 'connection closed',
    });
    expect(
      connectionVerdict({ subject: 'transport', state: 'failed', failure: 'refused', handlers: running }),
    ).toEqual({ status: 'down', reason: 'refused' });
  });

  it('is down when a consumer stopped on an error, naming it', () => {
    const handlers = [...running, { id: 'b', state: 'failed', error: 'PRECONDITION_FAILED' }];
    expect(connectionVerdict({ subject: 'transport', state: 'connected', handlers })).toEqual({
      status: 'down',
      reason: 'consumer stopped: b (PRECONDITION_FAILED)',
    });
  });

  it('is degraded while not connected, and asks `connected` once connected', () => {
    expect(connectionVerdict({ subject: 'transport', state: 'reconnecting', handlers: running })).toEqual({
      status: 'up',
      degraded: true,
      reason: 'transport reconnecting',
    });
    const connected = () => ({ status: 'up', degraded: true, reason: 'consumer re-attaching: a' }) as const;
    expect(
      connectionVerdict({ subject: 'connection', state: 'connected', handlers: running, connected }),
    ).toEqual(connected());
  });

  it('puts the verdict and the details under the key', () => {
    expect(
      connectionHealth(
        'queue',
        { subject: 'connection', state: 'connected', handlers: running },
        { backend: 'x' },
      ),
    ).toEqual({ queue: { status: 'up', backend: 'x' } });
  });
});
