import { Injectable } from '@nestjs/common';
import { StatsDto } from './stats.dto';

/** The one set of statistics per sensor (PUT replaces it, DELETE removes it). */
@Injectable()
export class StatsStore {
  private readonly stats = new Map<string, StatsDto>();

  get(sensor: string): StatsDto | undefined {
    return this.stats.get(sensor);
  }

  set(sensor: string, stats: StatsDto): void {
    this.stats.set(sensor, stats);
  }

  /** True when there was something to delete. */
  delete(sensor: string): boolean {
    return this.stats.delete(sensor);
  }
}
