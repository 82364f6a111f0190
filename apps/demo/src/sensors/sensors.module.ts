import { DynamicModule, Module } from '@nestjs/common';
import { AuthenticatedHttpModule } from '@databus/auth';
import { DEMO_CONFIG } from '../config/demo.config';
import { DemoConfig, DemoQueueNames } from '../config/demo-config.interface';
import { LiveModule } from '../live/live.module';
import { ReadingReceipts } from './reading-receipts';
import { ReadingsController } from './readings.controller';
import { ReadingsLedger } from './readings-ledger';
import { ReadingsStore } from './readings.store';
import { SensorSimulator } from './sensor-simulator';
import { StatsController } from './stats.controller';
import { StatsStore } from './stats.store';
import { statsWorkerOn } from './stats.worker';

/**
 * Readings (dataset → store), stats (API + worker) and the simulator. The worker's `HttpService` comes from
 * `AuthenticatedHttpModule`: keep-alive, the API's base URL, the CA when it is https, and the JWT.
 */
@Module({})
export class SensorsModule {
  /** With the demo's queue and exchange names (`STATS_QUEUE`, `NOTIFICATIONS_EXCHANGE`, `LOGS_EXCHANGE`). */
  static forRoot(names: DemoQueueNames): DynamicModule {
    return {
      module: SensorsModule,
      imports: [
        LiveModule.forRoot(names),
        AuthenticatedHttpModule.registerAsync({
          inject: [DEMO_CONFIG],
          useFactory: (config: DemoConfig) => ({
            baseURL: config.apiBaseUrl,
            timeoutMs: 10_000,
            tls: config.apiBaseUrl.startsWith('https:') && config.tls.ca ? { ca: config.tls.ca } : undefined,
          }),
        }),
      ],
      controllers: [ReadingsController, StatsController],
      providers: [
        ReadingsStore,
        ReadingsLedger,
        ReadingReceipts,
        StatsStore,
        statsWorkerOn(names),
        SensorSimulator,
      ],
      exports: [SensorSimulator],
    };
  }
}
