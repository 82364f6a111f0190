import { DynamicModule } from '@nestjs/common';
import { AsyncApiModule } from '@databus/asyncapi';
import type { DemoQueueNames } from '../config/demo-config.interface';
import { ReadingDto } from '../sensors/reading.dto';
import { READINGS_DATASET } from '../sensors/readings-ledger';
import { StatsTaskDto } from '../sensors/stats-task.dto';

/**
 * The sensor hub's AsyncAPI document at `GET /asyncapi.json`: what it receives comes from its handlers
 * (`@OnDatasetMessage`, `@TaskHandler`, `@EventSubscriber`), what it sends is declared here.
 */
export function demoAsyncApi(names: DemoQueueNames): DynamicModule {
  return AsyncApiModule.forRoot({
    info: {
      title: 'databus sensor hub',
      version: '0.1.0',
      description:
        'Sensor readings on a dataset, statistics computed by a task queue, notifications as events.',
    },
    producers: [
      {
        dataset: READINGS_DATASET,
        payload: ReadingDto,
        summary: 'A reading, from the simulator or POST /api/sensors/:id/readings',
      },
      {
        task: names.statsQueue,
        payload: StatsTaskDto,
        summary: 'Statistics to compute, from GET /api/sensors/:id/stats',
      },
      { event: names.notificationsExchange, summary: 'Statistics are ready (StatsNotification)' },
      { event: names.logsExchange, summary: 'A task failed (LogEvent)' },
    ],
  });
}
