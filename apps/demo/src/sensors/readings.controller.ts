import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { Ctx, DatabusHeaders, DatasetMessage, OnDatasetMessage, Payload } from '@databus/streaming';
import { LiveFeed } from '../live/live-feed.service';
import { NewReadingDto, ReadingDto } from './reading.dto';
import { READING_ID_HEADER, ReadingReceipts } from './reading-receipts';
import { READINGS_DATASET, ReadingsLedger } from './readings-ledger';
import { ReadingsStore, SensorSummary } from './readings.store';
import { SensorIdPipe } from './sensor-id.pipe';
import { validation } from './validation';

export { READINGS_DATASET } from './readings-ledger';

/**
 * Readings in and out: `POST /api/sensors/:id/readings` records the reading and its dataset message in one
 * transaction (`ReadingsLedger`, the transactional outbox); the outbox relay publishes it to the
 * `sensor-readings` dataset, and `onReading()` (an `@OnDatasetMessage` handler on this controller) consumes
 * it into the store.
 */
@Controller('api/sensors')
export class ReadingsController {
  constructor(
    private readonly ledger: ReadingsLedger,
    private readonly store: ReadingsStore,
    private readonly feed: LiveFeed,
    private readonly receipts: ReadingReceipts,
  ) {}

  /** Every sensor with its reading count and latest reading. */
  @Get()
  list(): SensorSummary[] {
    return this.store.summaries();
  }

  /**
   * Records one reading through the outbox (keyed by sensor, so a sensor's readings stay in order) and
   * answers once `onReading()` has stored it, with the sequence it was consumed at (a GET right after sees
   * it) and the message id the handler received (the outbox row's).
   */
  @Post(':id/readings')
  @HttpCode(202)
  async publish(
    @Param('id', SensorIdPipe) sensor: string,
    @Body(validation()) body: NewReadingDto,
  ): Promise<{ dataset: string; sequence: number; messageId: string }> {
    const reading = { sensor, value: body.value, time: body.time ?? new Date().toISOString() };
    const id = randomUUID();
    const stored = this.receipts.expect(id, `the reading of "${sensor}"`);
    stored.catch(() => undefined); // awaited below; a timeout while record() is still running is not unhandled
    try {
      await this.ledger.record([{ reading, headers: { [READING_ID_HEADER]: id } }]);
    } catch (error) {
      this.receipts.cancel(id);
      throw error;
    }
    return { dataset: READINGS_DATASET, ...(await stored) };
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
    this.receipts.stored(message.headers[READING_ID_HEADER], {
      sequence: message.sequence,
      messageId: message.headers[DatabusHeaders.MESSAGE_ID] ?? '',
    });
  }
}
