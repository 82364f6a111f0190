import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { DEMO_CONFIG } from '../config/demo.config';
import { DemoConfig } from '../config/demo-config.interface';
import { ReadingsLedger } from './readings-ledger';
import { ReadingsStore } from './readings.store';

/**
 * Records a reading per simulated sensor every `SIMULATOR_INTERVAL_MS` (a random walk around a per-sensor
 * base value), all in one transaction through the outbox (`ReadingsLedger`), and logs what the store holds every `SIMULATOR_REPORT_MS`. Every `SIMULATOR_STATS_MS` it also
 * plays a client: DELETE then GET the stats of the next sensor through the API, so the whole flow (202, task,
 * JWT PUT, notification) shows in the log without anyone clicking. `SIMULATOR=off` disables all of it; then
 * readings come only from `POST /api/sensors/:id/readings`.
 */
@Injectable()
export class SensorSimulator implements OnModuleDestroy {
  private readonly logger = new Logger('SensorSimulator');
  private timer: NodeJS.Timeout | undefined;
  private reportTimer: NodeJS.Timeout | undefined;
  private statsTimer: NodeJS.Timeout | undefined;
  private nextStatsSensor = 0;
  private lastReport = '';
  private readonly inFlight = new Set<Promise<void>>();
  private readonly levels = new Map<string, number>();

  constructor(
    private readonly ledger: ReadingsLedger,
    private readonly store: ReadingsStore,
    @Inject(DEMO_CONFIG) private readonly config: DemoConfig,
  ) {}

  get running(): boolean {
    return this.timer !== undefined;
  }

  start(): void {
    const { sensors, intervalMs, reportMs, statsMs } = this.config.simulator;
    if (this.timer || sensors.length === 0) return;
    sensors.forEach((sensor, index) => this.levels.set(sensor, 18 + index * 4));
    this.timer = setInterval(() => this.tick(), intervalMs);
    if (reportMs > 0) this.reportTimer = setInterval(() => this.report(), reportMs);
    if (statsMs > 0) this.statsTimer = setInterval(() => this.track(this.requestStats()), statsMs);
    this.logger.log(`Publishing a reading every ${intervalMs} ms for ${sensors.join(', ')}`);
  }

  /** Stops publishing and waits for the readings already on their way. */
  async stop(): Promise<void> {
    for (const timer of [this.timer, this.reportTimer, this.statsTimer]) if (timer) clearInterval(timer);
    this.timer = this.reportTimer = this.statsTimer = undefined;
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
      return { reading: { sensor, value, time } };
    });
    this.track(
      this.ledger.record(readings).then(
        () => undefined,
        (error: unknown) => this.logger.warn(`Could not record readings: ${message(error)}`),
      ),
    );
  }

  private report(): void {
    const line = this.store
      .summaries()
      .map((s) => `${s.sensor} n=${s.count} last=${s.last.value}`)
      .join(' · ');
    if (line && line !== this.lastReport) this.logger.log(`Stored readings: ${line}`);
    this.lastReport = line;
  }

  /** The simulated client: recompute the stats of the next sensor through the public API. */
  private async requestStats(): Promise<void> {
    const sensors = this.config.simulator.sensors;
    const sensor = sensors[this.nextStatsSensor++ % sensors.length];
    const url = `${this.config.apiBaseUrl}/api/sensors/${encodeURIComponent(sensor)}/stats`;
    try {
      await fetch(url, { method: 'DELETE' });
      const response = await fetch(url);
      this.logger.log(`Simulated client: GET stats of ${sensor} → ${response.status}`);
      await response.body?.cancel();
    } catch (error) {
      this.logger.warn(`Simulated client: ${message(error)}`);
    }
  }

  private track(work: Promise<void>): void {
    const tracked: Promise<void> = work.finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
