import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { ChannelService } from '@databus/streaming';
import { DEMO_CONFIG } from '../config/demo.config';
import { DemoConfig } from '../config/demo-config.interface';
import { READINGS_DATASET } from './readings.controller';
import { ReadingDto } from './reading.dto';

/**
 * Publishes a reading per simulated sensor every `SIMULATOR_INTERVAL_MS` (a random walk around a per-sensor
 * base value). `SIMULATOR=off` disables it; then readings come only from `POST /api/sensors/:id/readings`.
 */
@Injectable()
export class SensorSimulator implements OnModuleDestroy {
  private readonly logger = new Logger('SensorSimulator');
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly levels = new Map<string, number>();

  constructor(
    private readonly channel: ChannelService,
    @Inject(DEMO_CONFIG) private readonly config: DemoConfig,
  ) {}

  get running(): boolean {
    return this.timer !== undefined;
  }

  start(): void {
    const { sensors, intervalMs } = this.config.simulator;
    if (this.timer || sensors.length === 0) return;
    sensors.forEach((sensor, index) => this.levels.set(sensor, 18 + index * 4));
    this.timer = setInterval(() => this.tick(), intervalMs);
    this.logger.log(`Publishing a reading every ${intervalMs} ms for ${sensors.join(', ')}`);
  }

  /** Stops publishing and waits for the readings already on their way. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await Promise.all(this.inFlight);
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }

  private tick(): void {
    const time = new Date().toISOString();
    const readings = [...this.levels.entries()].map(([sensor, level]) => {
      const value = Math.round((level + (Math.random() - 0.5)) * 100) / 100;
      this.levels.set(sensor, value);
      const reading: ReadingDto = { sensor, value, time };
      return { value: reading, key: sensor };
    });
    const sent: Promise<void> = this.channel
      .produceMany(READINGS_DATASET, readings)
      .then(
        () => undefined,
        (error: unknown) => {
          this.logger.warn(
            `Could not publish readings: ${error instanceof Error ? error.message : String(error)}`,
          );
        },
      )
      .finally(() => this.inFlight.delete(sent));
    this.inFlight.add(sent);
  }
}
