import type { BackoffOptions } from '@databus/common';
import type { KafkaConsumerTuning } from './kafka.options';

/**
 * The internal seam between the kafka transport and a Kafka client library. The transport (positions,
 * bounded queue, commits, rebalances, request/reply) only speaks this interface; `kafkajs.driver.ts`
 * implements it with kafkajs 2.x. kafkajs is in maintenance mode: another client can replace it by
 * implementing these few methods, without touching the public API.
 *
 * Conventions of the seam:
 * - offsets are plain numbers (Kafka offsets are int64; 2^53 is out of reach in practice);
 * - an offset given to `seek` or `commit` is the **next record to read** (Kafka's convention: after
 *   processing offset 41, commit 42);
 * - errors leave the driver already mapped to the `@databus/common` hierarchy (`kafka-error.mapper.ts`).
 */

/** A record to produce. */
export interface KafkaOutgoingMessage {
  key?: string;
  value: Buffer;
  headers: Record<string, string>;
}

/** Where a produced record landed (when the client tells). */
export interface KafkaProduceAck {
  partition?: number;
  offset?: number;
}

/**
 * How the transport reads a driver's consumed records. A driver hands over its client's own message objects
 * (`KafkaDriverBatch.records`, no object of its own per record) together with this reader, so a consumed
 * record is one client message plus the transport's incoming record; the reader is one shared object.
 */
export interface KafkaRecordReader<M> {
  offset(record: M): number;
  /** The body (empty when the record has none). */
  value(record: M): Buffer;
  key(record: M): Buffer | undefined;
  /** Header values decoded as UTF-8; for a header repeated in one record, the last value. A new object. */
  headers(record: M): Record<string, string>;
  /** `headers(record)[name]`, read without decoding the other headers. */
  header(record: M, name: string): string | undefined;
  /** Epoch milliseconds (create time or log-append time, as the topic is configured). */
  timestamp(record: M): number;
}

/** Records fetched from one partition, in offset order, and how to read them. */
export interface KafkaDriverBatch<M = unknown> {
  partition: number;
  /** The client's messages; the transport only reads them (through `reader`), never changes them. */
  records: readonly M[];
  reader: KafkaRecordReader<M>;
  /** True when a `seek` made these records obsolete; they must be ignored. */
  isStale(): boolean;
}

/** What the transport did with a batch. */
export interface KafkaBatchOutcome {
  /**
   * The offset the driver fetches next from this partition. Absent: do not move (the records that were
   * not taken are fetched again after `resume`).
   */
  nextOffset?: number;
  /**
   * True when some records did not fit (the bounded queue is full). The driver then calls `waitForRoom`
   * and, when it resolves `true`, offers the same batch again: the transport skips the records it took.
   */
  full?: boolean;
}

/** Callbacks of a running consumer. All of them are synchronous and must not throw. */
export interface KafkaConsumerHandlers {
  /** A batch of one partition; called one at a time. */
  onBatch<M>(batch: KafkaDriverBatch<M>): KafkaBatchOutcome;
  /**
   * After a `full` outcome: resolves `true` as soon as the queue has room again, or `false` after
   * `timeoutMs` (the consumer has then been paused, and is resumed when the queue drains) or on close.
   */
  waitForRoom(timeoutMs: number): Promise<boolean>;
  /** After every group (re)join: every partition of the topic this member now holds. */
  onAssignment(partitions: number[]): void;
  /** The consumer stopped for good (it is not restarted by the driver); `error` is already mapped. */
  onCrash(error: Error): void;
}

/**
 * Consumer settings, in the transport's vocabulary: the tuning (`requestTimeoutMs` set gives this consumer a
 * dedicated client) plus its group, topic and start.
 */
export interface KafkaConsumerSettings extends KafkaConsumerTuning {
  groupId: string;
  topic: string;
  /** Where partitions with no committed offset start: earliest (`true`) or latest. */
  fromBeginning: boolean;
  /** How long `start` waits for the first group join. */
  joinTimeoutMs: number;
}

/** A reader of every partition of one topic that joins no consumer group (private subscriptions). */
export interface KafkaReaderSettings extends KafkaConsumerTuning {
  topic: string;
  /** Where partitions without a position start: the oldest record (`true`) or the high watermark. */
  fromBeginning: boolean;
  /** How long `start` waits for the topic's partitions and their start offsets. */
  joinTimeoutMs: number;
  /** The wait between fetch attempts after a failure (the transport's reconnect backoff). */
  reconnect: BackoffOptions;
}

/** One group member consuming one topic. */
export interface KafkaDriverConsumer {
  /** Connects, joins the group and starts fetching; resolves after the first assignment. */
  start(handlers: KafkaConsumerHandlers): Promise<void>;
  /** The next fetch of `partition` starts at `offset`. Only for partitions currently assigned. */
  seek(partition: number, offset: number): void;
  /** Stops fetching (every partition); heartbeats go on, so the member keeps its partitions. */
  pause(): void;
  resume(): void;
  /** Commits positions; each offset is the next record to read (last processed + 1). */
  commit(offsets: ReadonlyArray<{ partition: number; offset: number }>): Promise<void>;
  /** Leaves the group and closes the consumer's connections. Idempotent. */
  stop(): Promise<void>;
}

/** Earliest and next offsets of one partition. */
export interface KafkaPartitionRange {
  partition: number;
  /** Offset of the oldest record still stored. */
  low: number;
  /** Offset the next produced record will get (the high watermark). */
  high: number;
}

/** A Kafka client behind the transport. */
export interface KafkaDriver {
  /** Opens the producer and admin connections. */
  connect(): Promise<void>;
  /** Resolves when the broker acknowledged every record (acks = all). */
  produce(topic: string, messages: readonly KafkaOutgoingMessage[]): Promise<KafkaProduceAck[]>;
  /** The names of every topic the cluster has (internal ones included). */
  listTopics(): Promise<string[]>;
  /** Creates the topic with the broker's defaults when it does not exist. */
  ensureTopic(topic: string): Promise<void>;
  partitionRanges(topic: string): Promise<KafkaPartitionRange[]>;
  /** Per partition, the first offset whose timestamp is >= `timestamp` (the high watermark when none). */
  offsetsForTime(topic: string, timestamp: number): Promise<Array<{ partition: number; offset: number }>>;
  /** Committed positions of a group; `offset` is absent for partitions the group never committed. */
  committedOffsets(groupId: string, topic: string): Promise<Array<{ partition: number; offset?: number }>>;
  /** Forgets a consumer group (private subscriptions after close). */
  deleteGroup(groupId: string): Promise<void>;
  consumer(settings: KafkaConsumerSettings): KafkaDriverConsumer;
  /**
   * A consumer of every partition of the topic that joins no group and commits nothing (`commit` refuses),
   * for private subscriptions: it skips the group join (the larger part of the time to a first record). Its
   * `start` hands every partition over as the assignment. Optional: without it (or when it returns
   * `undefined`) private subscriptions use a throwaway group.
   */
  reader?(settings: KafkaReaderSettings): KafkaDriverConsumer | undefined;
  /** Closes every connection it opened. Idempotent. */
  disconnect(): Promise<void>;
}
