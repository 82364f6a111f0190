import { ConfigurationError } from '@databus/common';
import type { ChannelService } from '@databus/streaming';
import type { TaskQueue } from '@databus/queue';
import type { OutboxRow } from '../outbox/outbox-row';
import { decodeOutboxPayload } from '../outbox/payload';

/** Publishes the rows of one destination, in order, resolving once the broker acknowledged all of them. */
export interface OutboxPublisher {
  publish(kind: OutboxRow['kind'], destination: string, rows: readonly OutboxRow[]): Promise<void>;
}

/** What the relay needs of `ChannelService` and `TaskQueue` (structural: both libs stay optional peers). */
export interface OutboxBrokers {
  channel?: Pick<ChannelService, 'produceMany'>;
  taskQueue?: Pick<TaskQueue, 'enqueue'>;
}

/**
 * Publishes dataset rows with one `ChannelService.produceMany` per dataset (same-key order kept by the
 * transport) and task rows with `TaskQueue.enqueue`, with their keys, headers and message ids.
 */
export class BrokerPublisher implements OutboxPublisher {
  constructor(private readonly brokers: OutboxBrokers) {}

  async publish(kind: OutboxRow['kind'], destination: string, rows: readonly OutboxRow[]): Promise<void> {
    if (kind === 'dataset') {
      const channel = this.require('channel', 'StreamingModule (ChannelService)', destination);
      await channel.produceMany(
        destination,
        rows.map((row) => ({
          value: decodeOutboxPayload(row.encoding, row.payload),
          key: row.key ?? undefined,
          headers: row.headers,
        })),
      );
      return;
    }
    const queue = this.require('taskQueue', 'TaskQueueModule (TaskQueue)', destination);
    // One confirm channel keeps the order of the publishes; all are in flight together.
    await Promise.all(
      rows.map((row) =>
        queue.enqueue(destination, decodeOutboxPayload(row.encoding, row.payload), {
          headers: row.headers,
          messageId: row.messageId,
          ...(row.options.priority !== undefined ? { priority: row.options.priority } : {}),
          ...(row.options.correlationId !== undefined ? { correlationId: row.options.correlationId } : {}),
        }),
      ),
    );
  }

  private require<K extends keyof OutboxBrokers>(
    which: K,
    module: string,
    destination: string,
  ): NonNullable<OutboxBrokers[K]> {
    const broker = this.brokers[which];
    if (!broker)
      throw new ConfigurationError(
        `OutboxModule relay (row for "${destination}")`,
        `${module} imported in the application, to publish it`,
      );
    return broker as NonNullable<OutboxBrokers[K]>;
  }
}
