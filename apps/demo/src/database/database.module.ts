import { Global, Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { DEMO_CONFIG } from '../config/demo.config';
import type { DemoConfig } from '../config/demo-config.interface';
import { DEMO_DATABASE, DemoDatabase, openDemoDatabase } from './demo-database';

/** Closes the database last: the outbox relay and the handlers have stopped by `onApplicationShutdown`. */
@Injectable()
class DemoDatabaseCloser implements OnApplicationShutdown {
  constructor(@Inject(DEMO_DATABASE) private readonly database: DemoDatabase) {}

  async onApplicationShutdown(): Promise<void> {
    await this.database.close();
  }
}

/** The demo's PostgreSQL (`DATABASE_URL`, or the embedded one): its pool is the outbox's. */
@Global()
@Module({
  providers: [
    {
      provide: DEMO_DATABASE,
      inject: [DEMO_CONFIG],
      useFactory: (config: DemoConfig) => openDemoDatabase(config, new Logger('Database')),
    },
    DemoDatabaseCloser,
  ],
  exports: [DEMO_DATABASE],
})
export class DemoDatabaseModule {}
