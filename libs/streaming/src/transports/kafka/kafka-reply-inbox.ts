import { randomUUID } from 'node:crypto';
import { PendingReplies } from '@databus/common/internal';
import { SubscriptionClosedError } from '../../errors';
import { Offset } from '../../offset/offset';
import { IncomingRecord } from '../../transport/transport-record.interface';
import { TransportLogger } from '../../transport/transport.interface';
import {
  KafkaConsumerHandlers,
  KafkaConsumerSettings,
  KafkaDriver,
  KafkaDriverBatch,
  KafkaDriverConsumer,
} from './kafka-driver.interface';
import { resolvePositions } from './kafka-positions';
import { KafkaReplyHeaders, toIncomingRecord } from './kafka-wire';

/** What every default reply topic ends with, and what marks a topic as a reply topic (`<clientId>.replies`). */
export const REPLY_TOPIC_SUFFIX = '.replies';
/** Kafka's longest topic name. */
const MAX_TOPIC_LENGTH = 249;

/**
 * The default reply topic of an instance: `<clientId>.replies`, the client id with the characters Kafka
 * refuses in a topic replaced by `_`, cut from the front to Kafka's 249 characters (the suffix stays).
 */
export function defaultReplyTopic(clientId: string): string {
  return `${clientId.replace(/[^a-zA-Z0-9._-]/g, '_')}${REPLY_TOPIC_SUFFIX}`.slice(-MAX_TOPIC_LENGTH);
}

/** Prefix of the group id of the inbox that reads the replies of `clientId`. */
export function replyGroupPrefix(clientId: string): string {
  return `${clientId}${REPLY_TOPIC_SUFFIX}`;
}

/**
 * True for a topic that carries replies rather than a dataset: `replyTopic` (this instance's, which the
 * `replyTopic` option may name freely) or any topic named like a default reply topic (other instances').
 */
export function isReplyTopic(topic: string, replyTopic: string): boolean {
  return topic === replyTopic || topic.endsWith(REPLY_TOPIC_SUFFIX);
}

/** What the inbox needs. */
export interface KafkaReplyInboxOptions {
  driver: KafkaDriver;
  /** The reply topic this instance reads (`<clientId>.replies` by default). */
  topic: string;
  /** Prefix of the inbox's throwaway consumer group id. */
  groupPrefix: string;
  ensureTopic(topic: string): Promise<void>;
  settings: Omit<KafkaConsumerSettings, 'groupId' | 'topic' | 'fromBeginning'>;
  logger: TransportLogger;
}

/**
 * Receives the replies of this instance's requests.
 *
 * Design (why it survives rebalances): the inbox consumes the reply topic with its **own throwaway consumer
 * group**, of which it is the only member, so it always holds every partition of the reply topic; the
 * application's consumer groups and their rebalances never touch it, and no reply partition has to be
 * "assigned" to a requester. It starts at the end of the topic (the high watermarks read before joining, so
 * no reply produced after `ready()` is missed), keeps its own position across the rare rejoin of its own group,
 * and matches replies to waiting requests by correlation id. Replies nobody waits for (late after a timeout,
 * or meant for another instance sharing the topic) are ignored. It never commits.
 */
export class KafkaReplyInbox {
  private readonly waiters = new PendingReplies<IncomingRecord>();
  private consumer?: KafkaDriverConsumer;
  private starting?: Promise<void>;
  private closed = false;

  constructor(private readonly options: KafkaReplyInboxOptions) {}

  /** Requests waiting for their reply. */
  get pending(): number {
    return this.waiters.size;
  }

  /** Starts consuming the reply topic (once; again after a crash). */
  ready(): Promise<void> {
    if (this.closed) return Promise.reject(new SubscriptionClosedError('request', 'kafka transport'));
    this.starting ??= this.start().catch((error) => {
      this.starting = undefined;
      throw error;
    });
    return this.starting;
  }

  /**
   * Registers a request before it is sent; resolves with its reply, or rejects with `RequestTimeoutError`
   * after `timeoutMs`.
   */
  expect(correlationId: string, destination: string, timeoutMs: number): Promise<IncomingRecord> {
    return this.waiters.expect(correlationId, destination, timeoutMs);
  }

  /** Forgets a request that could not be sent. */
  cancel(correlationId: string): void {
    this.waiters.reject(correlationId, new SubscriptionClosedError('send the request', 'kafka transport'));
  }

  /** Stops the consumer; waiting requests fail with `SubscriptionClosedError`. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    this.waiters.rejectAll(new SubscriptionClosedError('receive the reply', 'kafka transport'));
    await this.starting?.catch(() => undefined);
    const consumer = this.consumer;
    this.consumer = undefined;
    await consumer?.stop();
  }

  private async start(): Promise<void> {
    const { driver, topic, settings } = this.options;
    await this.options.ensureTopic(topic);
    const next = await resolvePositions(driver, topic, Offset.LATEST);
    const groupId = `${this.options.groupPrefix}.${randomUUID()}`;
    const consumer = driver.consumer({ ...settings, groupId, topic, fromBeginning: false });
    const handlers: KafkaConsumerHandlers = {
      onAssignment: (partitions) => {
        for (const partition of partitions) {
          const offset = next.get(partition);
          if (offset !== undefined) consumer.seek(partition, offset);
        }
      },
      onBatch: (batch) => this.onBatch(batch, next),
      waitForRoom: async () => true, // replies are never queued
      onCrash: (error) => {
        this.options.logger.warn(
          `Reply consumer of "${topic}" stopped (${error.message}); it restarts with the next request`,
        );
        if (this.consumer === consumer) this.consumer = undefined;
        this.starting = undefined;
        void consumer.stop();
      },
    };
    await consumer.start(handlers);
    if (this.closed) {
      await consumer.stop();
      throw new SubscriptionClosedError('request', 'kafka transport');
    }
    this.consumer = consumer;
  }

  private onBatch<M>(batch: KafkaDriverBatch<M>, next: Map<number, number>): { nextOffset?: number } {
    const { records, reader } = batch;
    if (batch.isStale() || records.length === 0) return {};
    for (const record of records) {
      const id = reader.header(record, KafkaReplyHeaders.CORRELATION_ID);
      if (id === undefined || this.waiters.destination(id) === undefined) continue; // late, or another's
      this.waiters.resolve(
        id,
        toIncomingRecord(this.options.topic, batch.partition, record, reader, 0, false),
      );
    }
    const nextOffset = reader.offset(records[records.length - 1]) + 1;
    next.set(batch.partition, nextOffset);
    return { nextOffset };
  }
}
