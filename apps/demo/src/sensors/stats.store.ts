import { Injectable } from '@nestjs/common';
import { StatsDto } from './stats.dto';

/** How long a requested computation counts as pending: after that, a GET enqueues the task again. */
export const PENDING_STATS_TTL_MS = 30_000;

/**
 * The one set of statistics per sensor (PUT replaces it, DELETE removes it), and which sensors have a
 * computation under way, so that repeated GETs do not enqueue the same task again (the improvement the
 * course suggests).
 */
@Injectable()
export class StatsStore {
  private readonly stats = new Map<string, StatsDto>();
  private readonly pending = new Map<string, number>();

  get(sensor: string): StatsDto | undefined {
    return this.stats.get(sensor);
  }

  set(sensor: string, stats: StatsDto): void {
    this.stats.set(sensor, stats);
    this.pending.delete(sensor);
  }

  /** True when there was something to delete. */
  delete(sensor: string): boolean {
    return this.stats.delete(sensor);
  }

  /**
   * Marks a computation of `sensor` as requested at `now`. False when one is already pending (requested less
   * than `PENDING_STATS_TTL_MS` ago), true when the caller should enqueue the task.
   */
  markPending(sensor: string, now = Date.now()): boolean {
    const since = this.pending.get(sensor);
    if (since !== undefined && now - since < PENDING_STATS_TTL_MS) return false;
    this.pending.set(sensor, now);
    return true;
  }

  /** Forgets a pending mark (the task could not be enqueued). */
  clearPending(sensor: string): void {
    this.pending.delete(sensor);
  }
}
