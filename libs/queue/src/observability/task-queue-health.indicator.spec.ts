import { noopMetrics } from '@databus/common';
import type { BackendStatus, ConsumerHealth } from '../backends/queue-backend.interface';
import type { HandlerOrchestrator } from '../runtime/handler-orchestrator';
import type { HandlerRunner, HandlerState } from '../runtime/handler-runner';
import { QueueTelemetry } from './queue-telemetry';
import { TaskQueueHealthIndicator } from './task-queue-health.indicator';

type FakeRunner = Pick<HandlerRunner, 'state' | 'error' | 'consumerHealth' | 'handler'>;

function setup(runners: FakeRunner[]) {
  let emit!: (status: BackendStatus) => void;
  const backend = {
    kind: 'rabbitmq' as const,
    onStatus: (listener: (status: BackendStatus) => void) => {
      emit = listener;
      return () => undefined;
    },
  };
  const telemetry = new QueueTelemetry(backend, 'default', noopMetrics, false);
  const orchestrator = { handlers: runners } as unknown as HandlerOrchestrator;
  return {
    indicator: new TaskQueueHealthIndicator(telemetry, orchestrator),
    emit: (s: BackendStatus) => emit(s),
  };
}

const runner = (state: HandlerState, health?: ConsumerHealth, error?: Error): FakeRunner =>
  ({
    state,
    error,
    consumerHealth: health,
    handler: { name: 'W.handle', label: 'stats' },
  }) as FakeRunner;

describe('TaskQueueHealthIndicator', () => {
  it('is up when connected with attached consumers, in the terminus result shape', () => {
    const { indicator, emit } = setup([runner('running', { attached: true, failures: 0 })]);
    emit({ type: 'connected', generation: 1 });
    expect(indicator.check('queue')).toEqual({
      queue: {
        status: 'up',
        backend: 'rabbitmq',
        connection: 'connected',
        handlers: [{ id: 'W.handle', queue: 'stats', state: 'running', attached: true, error: undefined }],
      },
    });
  });

  it('is up and degraded while connecting, disconnected or reconnecting', () => {
    const { indicator, emit } = setup([]);
    expect(indicator.check().queue).toMatchObject({
      status: 'up',
      degraded: true,
      reason: 'connection connecting',
    });
    emit({ type: 'disconnected' });
    expect(indicator.check().queue).toMatchObject({ status: 'up', degraded: true });
    emit({ type: 'reconnecting', attempt: 2, delayMs: 100 });
    expect(indicator.check().queue).toMatchObject({
      status: 'up',
      degraded: true,
      reason: 'connection reconnecting',
    });
  });

  it('is down when the connection is closed', () => {
    const { indicator, emit } = setup([]);
    emit({ type: 'closed' });
    expect(indicator.check('q').q).toMatchObject({ status: 'down', reason: 'connection closed' });
  });

  it('is down when a consumer stopped on an error, even while connected (never a zombie)', () => {
    const { indicator, emit } = setup([runner('failed', undefined, new Error('PRECONDITION_FAILED'))]);
    emit({ type: 'connected', generation: 1 });
    expect(indicator.check().queue).toMatchObject({
      status: 'down',
      reason: 'consumer stopped: W.handle (PRECONDITION_FAILED)',
    });
  });

  it('is degraded while a consumer re-attaches, and down once the broker keeps refusing it', () => {
    const health = { attached: false, failures: 1, error: 'channel closed' };
    const { indicator, emit } = setup([runner('running', health)]);
    emit({ type: 'connected', generation: 3 });
    expect(indicator.check().queue).toMatchObject({ status: 'up', degraded: true });
    health.failures = 3;
    expect(indicator.check().queue).toMatchObject({
      status: 'down',
      reason: 'consumer cannot attach: W.handle (channel closed)',
    });
  });

  it('stays up for a handler stopped or paused on purpose', () => {
    const { indicator, emit } = setup([runner('stopped'), runner('paused')]);
    emit({ type: 'connected', generation: 1 });
    expect(indicator.check().queue.status).toBe('up');
    expect(indicator.check().queue.degraded).toBeUndefined();
  });
});
