import { Inject, Injectable } from '@nestjs/common';
import { HealthResult } from '@databus/common';
import { connectionHealth } from '@databus/common/internal';
import { StreamingConnection } from '../connection/streaming-connection';
import { DatasetHandlerOrchestrator } from '../discovery/dataset-handler.orchestrator';
import { STREAMING_CONNECTION } from '../streaming.constants';

/** Result of a health check, in the shape every databus indicator returns (`HealthResult`). */
export type StreamingHealthResult = HealthResult;

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
    const failure = status.type === 'failed' ? status.error.message : undefined;
    return connectionHealth(
      key,
      { subject: 'transport', state: status.type, failure, handlers },
      { transport: transport.name, connection: status.type, handlers },
    );
  }
}
