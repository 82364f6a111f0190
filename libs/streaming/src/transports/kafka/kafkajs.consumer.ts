import { Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import { TemporaryError } from '@databus/common';
import { raceTimeout } from '@databus/common/internal';
import {
  KafkaConsumerHandlers,
  KafkaConsumerSettings,
  KafkaDriverBatch,
  KafkaDriverConsumer,
  KafkaRecordReader,
} from './kafka-driver.interface';
import { mapKafkaError } from './kafka-error.mapper';
import { subscriptionRoundRobin } from './kafkajs.assigner';

/** How long a full queue is waited for inside a batch before the consumer is paused. */
export const ROOM_WAIT_MS = 1000;

/** One kafkajs consumer (one group member on one topic) behind the driver seam. */
export class KafkajsConsumer implements KafkaDriverConsumer {
  private readonly consumer: Consumer;
  private stopping?: Promise<void>;
  /**
   * Settles once `run()` returned. kafkajs silently drops commits made before its runner is marked running,
   * which is the case inside the first GROUP_JOIN event (where the transport commits start positions).
   */
  private readonly running: Promise<void>;
  private markRunning!: (ok: boolean) => void;

  constructor(
    kafka: Kafka,
    private readonly settings: KafkaConsumerSettings,
    private readonly onStopped: (c: KafkajsConsumer) => void,
  ) {
    this.consumer = kafka.consumer({
      groupId: settings.groupId,
      partitionAssigners: [subscriptionRoundRobin],
      sessionTimeout: settings.sessionTimeoutMs,
      heartbeatInterval: settings.heartbeatIntervalMs,
      rebalanceTimeout: settings.rebalanceTimeoutMs,
      maxWaitTimeInMs: settings.maxWaitTimeMs ?? 100,
      maxBytesPerPartition: settings.maxBytesPerPartition,
      minBytes: settings.minBytes,
      maxBytes: settings.maxBytes,
      allowAutoTopicCreation: false,
      retry: { retries: 5, restartOnFailure: async () => false },
    });
    this.running = new Promise<boolean>((resolve) => (this.markRunning = resolve)).then((ok) => {
      if (!ok) throw new TemporaryError(`The consumer of "${settings.topic}" is not running.`);
    });
    this.running.catch(() => undefined);
  }

  async start(handlers: KafkaConsumerHandlers): Promise<void> {
    const { topic, joinTimeoutMs } = this.settings;
    let joined!: () => void;
    let failed!: (error: Error) => void;
    const firstJoin = new Promise<void>((resolve, reject) => ((joined = resolve), (failed = reject)));
    firstJoin.catch(() => undefined); // a crash after start() settled is reported through onCrash
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      handlers.onAssignment([...(payload.memberAssignment[topic] ?? [])]);
      joined();
    });
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      const error = mapKafkaError(payload.error, 'consume', topic);
      failed(error);
      if (!payload.restart) handlers.onCrash(error);
    });
    try {
      await this.consumer.connect();
      await this.consumer.subscribe({ topics: [topic], fromBeginning: this.settings.fromBeginning });
      await this.consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: 1,
        eachBatch: async (payload) => this.onBatch(payload, handlers),
      });
      this.markRunning(true);
      await raceTimeout(
        firstJoin,
        joinTimeoutMs,
        () => new TemporaryError(`No consumer group join within ${joinTimeoutMs} ms (topic "${topic}").`),
      );
    } catch (error) {
      this.markRunning(false);
      await this.stop().catch(() => undefined);
      throw mapKafkaError(error, 'consume', topic);
    }
  }

  seek(partition: number, offset: number): void {
    this.consumer.seek({ topic: this.settings.topic, partition, offset: String(offset) });
  }

  pause(): void {
    this.safely(() => this.consumer.pause([{ topic: this.settings.topic }]));
  }

  resume(): void {
    this.safely(() => this.consumer.resume([{ topic: this.settings.topic }]));
  }

  async commit(offsets: ReadonlyArray<{ partition: number; offset: number }>): Promise<void> {
    if (offsets.length === 0) return;
    try {
      await this.running;
      await this.consumer.commitOffsets(
        offsets.map((o) => ({
          topic: this.settings.topic,
          partition: o.partition,
          offset: String(o.offset),
        })),
      );
    } catch (error) {
      throw mapKafkaError(error, 'commit', this.settings.topic);
    }
  }

  stop(): Promise<void> {
    this.markRunning(false);
    this.stopping ??= this.consumer
      .disconnect()
      .catch(() => undefined)
      .finally(() => this.onStopped(this));
    return this.stopping;
  }

  /**
   * Offers a kafkajs batch to the transport. When the transport's queue is full, waits (inside the batch, so
   * kafkajs fetches nothing meanwhile) up to `ROOM_WAIT_MS` for room and offers the batch again (the
   * transport skips what it took already), heartbeating between waits; when no room comes the transport has
   * paused the consumer and the rest is fetched again after `resume`. kafkajs' own idle loop while paused
   * sleeps `maxWaitTimeInMs` per round, so waiting here first keeps a busy consumer from stalling on that
   * sleep after every full queue.
   */
  private async onBatch(payload: EachBatchPayload, handlers: KafkaConsumerHandlers): Promise<void> {
    const { batch } = payload;
    const offered: KafkaDriverBatch<KafkaMessage> = {
      partition: batch.partition,
      records: batch.messages,
      reader: kafkajsRecords,
      isStale: () => payload.isStale(),
    };
    for (;;) {
      if (!payload.isRunning()) return;
      const outcome = handlers.onBatch(offered);
      // kafkajs: resolveOffset(o) makes the next fetch start at o + 1.
      if (outcome.nextOffset !== undefined) payload.resolveOffset(String(outcome.nextOffset - 1));
      if (!outcome.full || !(await handlers.waitForRoom(ROOM_WAIT_MS))) return;
      await payload.heartbeat(); // throws when the group rebalances: kafkajs then rejoins
    }
  }

  /** pause/resume throw while kafkajs has no running group (between a crash and our close). */
  private safely(action: () => void): void {
    try {
      action();
    } catch {
      // The consumer is stopping or crashed; the transport learns it through onCrash.
    }
  }
}

const EMPTY = Buffer.alloc(0);

/**
 * Reads kafkajs messages as the transport's records (the consumer's and the reader's batches hand kafkajs'
 * messages over as they are): the offset and timestamp strings as numbers, a missing value as an empty body,
 * the headers decoded as UTF-8 (the last value of a repeated header); `header(name)` decodes that one header
 * only (the content type read for every record builds no headers object).
 */
export const kafkajsRecords: KafkaRecordReader<KafkaMessage> = {
  offset: (message) => Number(message.offset),
  value: (message) => message.value ?? EMPTY,
  key: (message) => message.key ?? undefined,
  headers: (message) => decodeHeaders(message.headers),
  header: (message, name) => {
    const headers = message.headers;
    return headers !== undefined && Object.hasOwn(headers, name) ? decodeHeader(headers[name]) : undefined;
  },
  timestamp: (message) => Number(message.timestamp),
};

function decodeHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers === undefined) return out;
  for (const name in headers) {
    const value = decodeHeader(headers[name]);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** One kafkajs header value as text: UTF-8, the last value of a repeated header. */
function decodeHeader(raw: IHeaders[string]): string | undefined {
  const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
  if (value === undefined) return undefined;
  return Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
}
