import { Inject, Injectable } from '@nestjs/common';
import { HealthResult, HealthVerdict } from '@databus/common';
import { connectionHealth } from '@databus/common/internal';
import { HandlerOrchestrator } from '../runtime/handler-orchestrator';
import { DEFAULT_CONNECTION, TASK_QUEUE_TELEMETRY } from '../task-queue.constants';
import type { QueueTelemetry } from './queue-telemetry';

/** Re-attach failures in a row after which a consumer counts as down rather than recovering. */
const FAILURES_BEFORE_DOWN = 3;

/** A health check result in the shape every databus indicator returns (`HealthResult`). @publicApi */
export type TaskQueueHealthResult = HealthResult;

/**
 * Health of a task-queue connection and its handlers, for @nestjs/terminus (nothing to import from
 * terminus: `() => indicator.check('queue')` is a `HealthIndicatorFunction`).
 * - down: the connection is closed, or a handler's consumer stopped on an error, or the broker refused to
 *   re-attach a consumer 3 times in a row (a zombie that would never consume is reported, never hidden);
 * - up with `degraded: true`: connecting, disconnected or reconnecting (publishes wait, consumers come back);
 * - up otherwise. `reason` says why; `handlers` lists every handler's state.
 * @publicApi
 */
@Injectable()
export class TaskQueueHealthIndicator {
  constructor(
    @Inject(TASK_QUEUE_TELEMETRY) private readonly telemetry: QueueTelemetry,
    private readonly orchestrator: HandlerOrchestrator,
  ) {}

  check(key = 'queue'): TaskQueueHealthResult {
    const state = this.telemetry.state;
    const handlers = this.orchestrator.handlers.map((runner) => ({
      id: runner.handler.name,
      queue: runner.handler.label,
      state: runner.state,
      attached: runner.consumerHealth?.attached ?? false,
      error: runner.error?.message ?? runner.consumerHealth?.error,
    }));
    return connectionHealth(
      key,
      { subject: 'connection', state: state.type, handlers, connected: () => this.attach() },
      { backend: this.telemetry.system, connection: state.type, handlers },
    );
  }

  /** A consumer the broker refused to re-attach 3 times in a row is down; one re-attaching is degraded. */
  private attach(): HealthVerdict {
    const detached = this.orchestrator.handlers.filter(
      (r) => (r.state === 'running' || r.state === 'paused') && r.consumerHealth?.attached === false,
    );
    const stuck = detached.filter((r) => (r.consumerHealth?.failures ?? 0) >= FAILURES_BEFORE_DOWN);
    if (stuck.length)
      return {
        status: 'down',
        reason: `consumer cannot attach: ${stuck.map((r) => `${r.handler.name} (${r.consumerHealth?.error})`).join(', ')}`,
      };
    if (detached.length)
      return {
        status: 'up',
        degraded: true,
        reason: `consumer re-attaching: ${detached.map((r) => r.handler.name).join(', ')}`,
      };
    return { status: 'up' };
  }
}

/**
 * The injection token of the `TaskQueueHealthIndicator` of connection `name` (the class itself for the
 * default connection): `@Inject(getTaskQueueHealthToken('audit'))`. @publicApi
 */
export function getTaskQueueHealthToken(
  name: string = DEFAULT_CONNECTION,
): string | typeof TaskQueueHealthIndicator {
  return name === DEFAULT_CONNECTION ? TaskQueueHealthIndicator : `databus:queue:health-indicator:${name}`;
}
