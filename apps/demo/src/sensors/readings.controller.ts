import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ChannelService, Ctx, DatasetMessage, OnDatasetMessage, Payload } from '@databus/streaming';
import { LiveFeed } from '../live/live-feed.service';
import { NewReadingDto, ReadingDto } from './reading.dto';
import { ReadingsStore, SensorSummary } from './readings.store';
import { SensorIdPipe } from './sensor-id.pipe';
import { validation } from './validation';

/** The dataset sensors publish to. */
export const READINGS_DATASET = 'sensor-readings';

/**
 * Readings in and out: `POST /api/sensors/:id/readings` produces to the `sensor-readings` dataset, and
 * `onReading()` (an `@OnDatasetMessage` handler on this controller) consumes it into the store.
 */
@Controller('api/sensors')
export class ReadingsController {
  constructor(
    private readonly channel: ChannelService,
    private readonly store: ReadingsStore,
    private readonly feed: LiveFeed,
  ) {}

  /** Every sensor with its reading count and latest reading. */
  @Get()
  list(): SensorSummary[] {
    return this.store.summaries();
  }

  /** Publishes one reading (keyed by sensor, so a sensor's readings stay in order). */
  @Post(':id/readings')
  @HttpCode(202)
  async publish(
    @Param('id', SensorIdPipe) sensor: string,
    @Body(validation()) body: NewReadingDto,
  ): Promise<{ dataset: string; sequence?: number }> {
    const reading: ReadingDto = { sensor, value: body.value, time: body.time ?? new Date().toISOString() };
    const result = await this.channel.produce(READINGS_DATASET, reading, { key: sensor });
    return { dataset: READINGS_DATASET, sequence: result.sequence };
  }

  /**
   * Stores every reading of the dataset. The payload goes through `ValidationPipe` like an HTTP body; a
   * reading that fails it is retried and then dead-lettered to `sensor-readings.dlq`, never dropped.
   */
  @OnDatasetMessage(READINGS_DATASET, { batch: 10, concurrency: 4 })
  onReading(@Payload(validation()) reading: ReadingDto, @Ctx() message: DatasetMessage): void {
    const time = reading.time ?? message.timestamp.toISOString();
    this.store.add(reading.sensor, reading.value, time);
    this.feed.reading({
      sensor: reading.sensor,
      value: reading.value,
      time,
      sequence: String(message.sequence),
    });
  }
}
