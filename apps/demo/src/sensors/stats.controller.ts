import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  HttpStatus,
  Logger,
  NotFoundException,
  Param,
  Put,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import type { Response } from 'express';
import { TaskQueue } from '@databus/queue';
import { DEMO_CONFIG } from '../config/demo.config';
import { DemoConfig } from '../config/demo-config.interface';
import { AuthenticatedRequest, JwtBearerGuard } from '../gateway/jwt-bearer.guard';
import { ReadingsStore } from './readings.store';
import { SensorIdPipe } from './sensor-id.pipe';
import { StatsDto } from './stats.dto';
import { StatsStore } from './stats.store';
import { StatsTaskDto } from './stats-task.dto';
import { validation } from './validation';

/** What `GET …/stats` answers with 202: the stats are being computed. */
export interface StatsPending {
  status: 'pending';
  sensor: string;
  /** Readings the task summarises. */
  count: number;
  /** True when this request enqueued the task; false when one was already under way. */
  queued: boolean;
}

/**
 * `/api/sensors/:id/stats`, as in the course: GET answers the stored stats (200) or enqueues a `stats` task
 * and answers 202 (once: while a computation is pending, further GETs answer 202 without a new task); PUT (the
 * worker, with a bearer JWT) stores them; DELETE clears them.
 */
@Controller('api/sensors/:id/stats')
export class StatsController {
  private readonly logger = new Logger('Stats');

  constructor(
    private readonly stats: StatsStore,
    private readonly readings: ReadingsStore,
    private readonly tasks: TaskQueue,
    @Inject(DEMO_CONFIG) private readonly config: DemoConfig,
  ) {}

  @Get()
  async get(
    @Param('id', SensorIdPipe) sensor: string,
    @Res({ passthrough: true }) response: Response,
  ): Promise<StatsDto | StatsPending> {
    const stored = this.stats.get(sensor);
    if (stored) return stored;
    const data = this.readings.values(sensor);
    if (data.length === 0) throw new NotFoundException(`no readings for sensor "${sensor}"`);
    response.status(HttpStatus.ACCEPTED);
    const queued = this.stats.markPending(sensor);
    if (queued) {
      const task: StatsTaskDto = { sensor, data };
      try {
        await this.tasks.enqueue(this.config.names.statsQueue, task);
      } catch (error) {
        this.stats.clearPending(sensor);
        throw error;
      }
      this.logger.log(`Enqueued a stats task for ${sensor} (${data.length} readings)`);
    }
    return { status: 'pending', sensor, count: data.length, queued };
  }

  /** Only callers with a valid JWT (the worker) may store stats. */
  @Put()
  @UseGuards(JwtBearerGuard)
  @HttpCode(204)
  put(
    @Param('id', SensorIdPipe) sensor: string,
    @Body(validation()) stats: StatsDto,
    @Req() request: AuthenticatedRequest,
  ): void {
    this.stats.set(sensor, stats);
    this.logger.log(`Stored stats of ${sensor} from ${request.principal ?? 'an unnamed caller'}`);
  }

  @Delete()
  @HttpCode(204)
  delete(@Param('id', SensorIdPipe) sensor: string): void {
    this.stats.delete(sensor);
  }
}
