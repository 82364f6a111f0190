import { Controller, Get, Header, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { JwtHealthIndicator } from '@databus/auth';
import { TaskQueueHealthIndicator } from '@databus/queue';
import { StreamingHealthIndicator } from '@databus/streaming';
import { Registry } from 'prom-client';
import { DEMO_METRICS_REGISTRY } from './ops.tokens';

/**
 * `GET /health`: terminus health of the streaming connection (and its handlers), the task queue (and its
 * consumers) and the token source: 200 when all are up (possibly degraded while a broker reconnects), 503
 * when one is down. `GET /metrics`: Prometheus text format.
 */
@Controller()
export class OpsController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly streaming: StreamingHealthIndicator,
    private readonly queue: TaskQueueHealthIndicator,
    private readonly jwt: JwtHealthIndicator,
    @Inject(DEMO_METRICS_REGISTRY) private readonly registry: Registry,
  ) {}

  @Get('health')
  @HealthCheck()
  check() {
    return this.health.check([
      () => this.streaming.check('streaming'),
      () => this.queue.check('queue'),
      () => this.jwt.isHealthy('token'),
    ]);
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}
