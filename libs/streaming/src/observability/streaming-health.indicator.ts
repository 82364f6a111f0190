import { Inject, Injectable } from '@nestjs/common';
import { StreamingConnection } from '../channel/streaming-connection';
import { DatasetHandlerOrchestrator } from '../discovery/dataset-handler.orchestrator';
import { STREAMING_CONNECTION } from '../streaming.constants';

/** Result of a health check, in the shape @nestjs/terminus expects (`{ [key]: { status, ... } }`). */
export type StreamingHealthResult = Record<string, { status: 'up' | 'down'; [detail: string]: unknown }>;

/**
 * Health of a streaming connection and its handlers, for @nestjs/terminus (no import of terminus needed:
 * pass `() => indicator.check('streaming')` to `HealthCheckService.check`).
 * - down: the transport is closed or failed, or a handler's consumer stopped on an error (never a zombie);
 * - up with `degraded: true`: the transport is disconnected or reconnecting;
 * - up otherwise. `reason` says why.
 * @publicApi
 */
@Injectable()
export class StreamingHealthIndicator {
  constructor(
    @Inject(STREAMING_CONNECTION) private readonly connection: StreamingConnection,
    private readonly orchestrator: DatasetHandlerOrchestrator,
  ) {}

  check(key = 'streaming'): StreamingHealthResult {
    const transport = this.connection.transport;
    const status = transport.status;
    const handlers = this.orchestrator.handlers.map((h) => ({
      id: h.id,
      dataset: h.dataset,
      group: h.group,
      state: h.runner.state,
      error: h.runner.error?.message,
    }));
    const failedHandlers = handlers.filter((h) => h.state === 'failed');
    const details = { transport: transport.name, connection: status.type, handlers };
    if (status.type === 'closed' || status.type === 'failed')
      return {
        [key]: {
          status: 'down',
          reason: status.type === 'failed' ? status.error.message : 'connection closed',
          ...details,
        },
      };
    if (failedHandlers.length)
      return {
        [key]: {
          status: 'down',
          reason: `consumer stopped: ${failedHandlers.map((h) => `${h.id} (${h.error})`).join(', ')}`,
          ...details,
        },
      };
    if (status.type === 'disconnected' || status.type === 'reconnecting' || status.type === 'connecting')
      return { [key]: { status: 'up', degraded: true, reason: `transport ${status.type}`, ...details } };
    return { [key]: { status: 'up', ...details } };
  }
}
