import { Injectable, Logger } from '@nestjs/common';
import { HttpService } from '@nestjs/axios';
import { firstValueFrom } from 'rxjs';
import { TaskPayload, TaskQueue, TaskHandler } from '@databus/queue';
import { computeStats } from './compute-stats';
import { LogEvent, StatsNotification, StatsTaskDto } from './stats-task.dto';
import { STATS_QUEUE } from './stats.controller';
import { validation } from './validation';

/** Fanout exchange of "stats are ready" events. */
export const NOTIFICATIONS_EXCHANGE = 'notifications';
/** Fanout exchange of log events (failures). */
export const LOGS_EXCHANGE = 'logs';

/**
 * The course's stats worker as a Nest provider: consumes the `stats` queue (manual ack: a task is acked only
 * once this method resolves), computes the stats, PUTs them to the API through `AuthenticatedHttpModule`
 * (which adds and refreshes the JWT), then publishes a notification. A failure goes to the `logs` exchange and
 * the task is retried with backoff, then dead-lettered to `stats.dlq`.
 */
@Injectable()
export class StatsWorker {
  private readonly logger = new Logger('StatsWorker');

  constructor(
    private readonly http: HttpService,
    private readonly tasks: TaskQueue,
  ) {}

  @TaskHandler(STATS_QUEUE, {
    concurrency: 4,
    retry: { attempts: 3, backoff: { initialMs: 500, maxMs: 5_000 } },
  })
  async compute(@TaskPayload(validation()) task: StatsTaskDto): Promise<void> {
    try {
      const stats = computeStats(task.data);
      await firstValueFrom(this.http.put(`/api/sensors/${encodeURIComponent(task.sensor)}/stats`, stats));
      const event: StatsNotification = {
        task: 'statistics',
        sensor: task.sensor,
        generated: stats.generated,
      };
      await this.tasks.publish(NOTIFICATIONS_EXCHANGE, event);
      this.logger.log(
        `Stats of ${task.sensor}: n=${stats.count} mean=${fmt(stats.mean)} min=${fmt(stats.min)} ` +
          `max=${fmt(stats.max)} sd=${fmt(stats.stddev)} (PUT with a JWT, notification published)`,
      );
    } catch (error) {
      const content = `stats of ${task.sensor} failed: ${error instanceof Error ? error.message : String(error)}`;
      this.logger.warn(content);
      const log: LogEvent = {
        timestamp: new Date().toISOString(),
        level: 'error',
        content,
        sensor: task.sensor,
      };
      await this.tasks.publish(LOGS_EXCHANGE, log).catch(() => undefined);
      throw error;
    }
  }
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(3);
}
