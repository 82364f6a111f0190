import { Injectable } from '@nestjs/common';

/** The latest reading and how many a sensor has. */
export interface SensorSummary {
  sensor: string;
  count: number;
  last: { value: number; time: string };
}

/** Most values kept per sensor (oldest dropped first). */
export const MAX_VALUES_PER_SENSOR = 10_000;

/** In-memory storage of the readings, per sensor (the demo's stand-in for a database table). */
@Injectable()
export class ReadingsStore {
  private readonly sensors = new Map<string, { values: number[]; last: { value: number; time: string } }>();

  add(sensor: string, value: number, time: string): void {
    let entry = this.sensors.get(sensor);
    if (!entry) {
      entry = { values: [], last: { value, time } };
      this.sensors.set(sensor, entry);
    }
    entry.values.push(value);
    if (entry.values.length > MAX_VALUES_PER_SENSOR) entry.values.shift();
    entry.last = { value, time };
  }

  /** A copy of the stored values of `sensor` (empty when unknown). */
  values(sensor: string): number[] {
    return [...(this.sensors.get(sensor)?.values ?? [])];
  }

  summaries(): SensorSummary[] {
    return [...this.sensors.entries()]
      .map(([sensor, { values, last }]) => ({ sensor, count: values.length, last }))
      .sort((a, b) => a.sensor.localeCompare(b.sensor));
  }
}
