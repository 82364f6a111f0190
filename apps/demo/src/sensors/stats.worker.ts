import { Inject, Injectable, Logger, Type } from '@nestjs/common';
import { HttpService } from '@nestjs/axios';
import { firstValueFrom } from 'rxjs';
import { TaskPayload, TaskQueue, TaskHandler } from '@databus/queue';
import { DEMO_CONFIG } from '../config/demo.config';
import { DemoConfig, DemoQueueNames } from '../config/demo-config.interface';
import { computeStats } from './compute-stats';
import { LogEvent, StatsNotification, StatsTaskDto } from './stats-task.dto';
import { validation } from './validation';

/**
 * The course's stats worker as a Nest provider: consumes the stats queue (`STATS_QUEUE`, default `stats`;
 * manual ack: a task is acked only once the method resolves), computes the stats, PUTs them to the API through
 * `AuthenticatedHttpModule` (which adds and refreshes the JWT), then publishes a notification on
 * `NOTIFICATIONS_EXCHANGE`. A failure goes to `LOGS_EXCHANGE` and the task is retried with backoff, then
 * dead-lettered to `<stats queue>.dlq`. `statsWorkerOn(names)` gives the provider class for the configured names.
 */
@Injectable()
export class StatsWorker {
  private readonly logger = new Logger('StatsWorker');

  constructor(
    private readonly http: HttpService,
    private readonly tasks: TaskQueue,
    @Inject(DEMO_CONFIG) private readonly config: DemoConfig,
  ) {}

  async compute(task: StatsTaskDto): Promise<void> {
    const { notificationsExchange, logsExchange } = this.config.names;
    try {
      const stats = computeStats(task.data);
      await firstValueFrom(this.http.put(`/api/sensors/${encodeURIComponent(task.sensor)}/stats`, stats));
      const event: StatsNotification = {
        task: 'statistics',
        sensor: task.sensor,
        generated: stats.generated,
      };
      await this.tasks.publish(notificationsExchange, event);
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
      await this.tasks.publish(logsExchange, log).catch(() => undefined);
      throw error;
    }
  }
}

/**
 * The worker class for the configured queue name: `@TaskHandler` needs the name when the class is defined,
 * and the name comes from the environment, so the decorated class is made when the module is built.
 */
export function statsWorkerOn(names: DemoQueueNames): Type<StatsWorker> {
  @Injectable()
  class ConfiguredStatsWorker extends StatsWorker {
    @TaskHandler(names.statsQueue, {
      concurrency: 4,
      retry: { attempts: 3, backoff: { initialMs: 500, maxMs: 5_000 } },
    })
    override compute(@TaskPayload(validation()) task: StatsTaskDto): Promise<void> {
      return super.compute(task);
    }
  }
  // Handler ids, logs and metrics name the class: keep `StatsWorker.compute`.
  Object.defineProperty(ConfiguredStatsWorker, 'name', { value: 'StatsWorker' });
  return ConfiguredStatsWorker;
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(3);
}
