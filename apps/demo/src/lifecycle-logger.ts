import { Injectable, Logger, OnApplicationShutdown, OnModuleDestroy } from '@nestjs/common';

/** Says when a shutdown starts and when it has finished, so a Ctrl-C shows that the drain completed. */
@Injectable()
export class LifecycleLogger implements OnModuleDestroy, OnApplicationShutdown {
  private readonly logger = new Logger('SensorHub');
  private startedAt = 0;

  onModuleDestroy(): void {
    this.startedAt = Date.now();
    this.logger.log('Shutting down: finishing in-flight readings and tasks…');
  }

  onApplicationShutdown(signal?: string): void {
    this.logger.log(
      `Stopped${signal ? ` on ${signal}` : ''} after ${Date.now() - this.startedAt} ms; nothing left in flight`,
    );
  }
}
