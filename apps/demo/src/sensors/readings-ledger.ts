import { Inject, Injectable } from '@nestjs/common';
import { OutboxService } from '@databus/outbox';
import { DEMO_DATABASE, DemoDatabase } from '../database/demo-database';
import type { ReadingDto } from './reading.dto';

/** The dataset sensors publish to. */
export const READINGS_DATASET = 'sensor-readings';

/** A reading to record, with headers for its dataset message. */
export interface LedgerEntry {
  reading: ReadingDto & { time: string };
  headers?: Record<string, string>;
}

/**
 * Records readings the transactional-outbox way: in one database transaction, each reading goes into the
 * demo's own table (`demo_readings`) and its dataset message into the outbox (`OutboxService.produce`, keyed
 * by sensor). Both commit or neither does; the outbox relay then publishes the message to `sensor-readings`
 * through `ChannelService`, and deletes the row once the transport acknowledged it.
 */
@Injectable()
export class ReadingsLedger {
  constructor(
    @Inject(DEMO_DATABASE) private readonly database: DemoDatabase,
    private readonly outbox: OutboxService,
  ) {}

  /** Resolves with the message id of each reading (header `x-databus-message-id`) once committed. */
  async record(entries: readonly LedgerEntry[]): Promise<string[]> {
    const tx = await this.database.pool.connect();
    let broken: Error | undefined;
    try {
      await tx.query('BEGIN');
      try {
        const ids: string[] = [];
        for (const { reading, headers } of entries) {
          const messageId = await this.outbox.produce(tx, READINGS_DATASET, reading, {
            key: reading.sensor,
            headers,
          });
          await tx.query(
            `INSERT INTO ${this.database.readingsTable} (message_id, sensor, value, time) VALUES ($1, $2, $3, $4)`,
            [messageId, reading.sensor, reading.value, reading.time],
          );
          ids.push(messageId);
        }
        await tx.query('COMMIT');
        return ids;
      } catch (error) {
        await tx.query('ROLLBACK').catch((e: Error) => (broken = e));
        throw error;
      }
    } finally {
      tx.release(broken);
    }
  }
}
