import {
  KafkaConsumerHandlers,
  KafkaConsumerSettings,
  KafkaDriver,
  KafkaDriverConsumer,
  KafkaOutgoingMessage,
  KafkaPartitionRange,
  KafkaProduceAck,
  KafkaRecordReader,
} from '../kafka-driver.interface';

/** A record stored by the in-memory Kafka, as plain fields. @internal */
export interface FakeKafkaRecord {
  offset: number;
  key?: Buffer;
  value: Buffer;
  /** Header values as text (the last value of a repeated header). */
  headers: Record<string, string>;
  /** Epoch milliseconds. */
  timestamp: number;
}

/**
 * Reads `FakeKafkaRecord`s behind the driver seam (a copy of the headers per `headers` call, as a client's
 * decoding gives a new object). @internal
 */
export const fakeKafkaRecords: KafkaRecordReader<FakeKafkaRecord> = {
  offset: (record) => record.offset,
  value: (record) => record.value,
  key: (record) => record.key,
  headers: (record) => ({ ...record.headers }),
  header: (record, name) => (Object.hasOwn(record.headers, name) ? record.headers[name] : undefined),
  timestamp: (record) => record.timestamp,
};

/**
 * An in-memory Kafka behind the driver seam, for the transport's unit tests (no broker). Topics have
 * partitions of records with offsets from 0; groups keep committed offsets; consumers are fed by `pump()`
 * (called automatically after produce/seek/resume unless `autoPump` is false), the way kafkajs' fetch loop
 * feeds `eachBatch`. Tests drive rebalances (`assign`) and crashes (`crash`) explicitly.
 * @internal
 */
export class FakeKafka implements KafkaDriver {
  readonly topics = new Map<string, FakeKafkaRecord[][]>();
  readonly committed = new Map<string, Map<number, number>>();
  readonly consumers: FakeConsumer[] = [];
  readonly deletedGroups: string[] = [];
  /** Errors the next commits fail with, in order. */
  readonly commitFailures: Error[] = [];
  /** Error the next produce fails with (the next `produceFailureTimes` produces). */
  produceFailure?: Error;
  produceFailureTimes = 1;
  /** Produce calls made, failed ones included. */
  produceCalls = 0;
  /** A produce that never resolves (an outage), when true. */
  produceHangs = false;
  autoPump = true;
  maxBatch = 100;
  /** Timestamps given to produced records (never going backwards). */
  clock: () => number = () => Date.now();
  connected = false;
  private lastTimestamp = 0;
  private pumpScheduled = false;
  /** Running members per group and topic, in join order. */
  private readonly members = new Map<string, FakeConsumer[]>();

  constructor(private readonly partitions = 1) {}

  async connect(): Promise<void> {
    this.connected = true;
  }

  async disconnect(): Promise<void> {
    this.connected = false;
  }

  async produce(topic: string, messages: readonly KafkaOutgoingMessage[]): Promise<KafkaProduceAck[]> {
    this.produceCalls++;
    if (this.produceFailure) {
      const error = this.produceFailure;
      if (--this.produceFailureTimes <= 0) {
        this.produceFailure = undefined;
        this.produceFailureTimes = 1;
      }
      throw error;
    }
    if (this.produceHangs) return new Promise<never>(() => undefined);
    const log = this.log(topic);
    const acks = messages.map((m) => {
      const partition = m.key === undefined ? 0 : hash(m.key) % log.length;
      const records = log[partition];
      const offset = records.length;
      records.push({
        offset,
        key: m.key === undefined ? undefined : Buffer.from(m.key),
        value: Buffer.from(m.value),
        headers: { ...m.headers },
        timestamp: (this.lastTimestamp = Math.max(this.lastTimestamp, this.clock())),
      });
      return { partition, offset };
    });
    this.schedulePump();
    return acks;
  }

  async listTopics(): Promise<string[]> {
    return [...this.topics.keys()];
  }

  async ensureTopic(topic: string): Promise<void> {
    this.log(topic);
  }

  async partitionRanges(topic: string): Promise<KafkaPartitionRange[]> {
    return this.log(topic).map((records, partition) => ({ partition, low: 0, high: records.length }));
  }

  async offsetsForTime(
    topic: string,
    timestamp: number,
  ): Promise<Array<{ partition: number; offset: number }>> {
    return this.log(topic).map((records, partition) => {
      const found = records.find((r) => r.timestamp >= timestamp);
      return { partition, offset: found ? found.offset : records.length };
    });
  }

  async committedOffsets(
    groupId: string,
    topic: string,
  ): Promise<Array<{ partition: number; offset?: number }>> {
    const committed = this.committed.get(key(groupId, topic));
    return this.log(topic).map((_, partition) => ({ partition, offset: committed?.get(partition) }));
  }

  async deleteGroup(groupId: string): Promise<void> {
    this.deletedGroups.push(groupId);
  }

  consumer(settings: KafkaConsumerSettings): KafkaDriverConsumer {
    const consumer = new FakeConsumer(this, settings);
    this.consumers.push(consumer);
    return consumer;
  }

  /** A member joins its group: the group's partitions are spread again over every member (like a rebalance). */
  join(member: FakeConsumer): void {
    const k = key(member.settings.groupId, member.settings.topic);
    const list = this.members.get(k) ?? [];
    list.push(member);
    this.members.set(k, list);
    this.rebalance(k, member.settings.topic);
  }

  /** A member leaves its group; the others rebalance. */
  leave(member: FakeConsumer): void {
    const k = key(member.settings.groupId, member.settings.topic);
    const list = (this.members.get(k) ?? []).filter((m) => m !== member);
    if (list.length === 0) this.members.delete(k);
    else this.members.set(k, list);
    this.rebalance(k, member.settings.topic);
  }

  private rebalance(groupKey: string, topic: string): void {
    const list = this.members.get(groupKey) ?? [];
    if (list.length === 0) return;
    const shares = list.map(() => [] as number[]);
    this.log(topic).forEach((_, partition) => shares[partition % list.length].push(partition));
    list.forEach((member, i) => member.assign(shares[i]));
  }

  /** The records of a topic partition. */
  log(topic: string, partition?: number): FakeKafkaRecord[][] {
    let log = this.topics.get(topic);
    if (!log) this.topics.set(topic, (log = Array.from({ length: this.partitions }, () => [])));
    return partition === undefined ? log : [log[partition]];
  }

  /** Committed offsets of a group on a topic, by partition. */
  commitsOf(groupId: string, topic: string): Record<number, number> {
    return Object.fromEntries(this.committed.get(key(groupId, topic)) ?? []);
  }

  /** Feeds every running, unpaused consumer until nothing more is taken. */
  pump(): void {
    for (let progress = true, rounds = 0; progress && rounds < 1000; rounds++) {
      progress = false;
      for (const consumer of this.consumers) progress = consumer.fetchOnce() || progress;
    }
  }

  schedulePump(): void {
    if (!this.autoPump || this.pumpScheduled) return;
    this.pumpScheduled = true;
    // Not unref'd: an unref'd immediate does not stop the event loop from blocking in its poll phase.
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  commitFor(
    groupId: string,
    topic: string,
    offsets: ReadonlyArray<{ partition: number; offset: number }>,
  ): void {
    const k = key(groupId, topic);
    let map = this.committed.get(k);
    if (!map) this.committed.set(k, (map = new Map()));
    for (const o of offsets) map.set(o.partition, o.offset);
  }
}

/** A fake group member; records every call the transport makes. */
export class FakeConsumer implements KafkaDriverConsumer {
  handlers?: KafkaConsumerHandlers;
  running = false;
  paused = false;
  stopped = false;
  assignment: number[] = [];
  readonly seeks: Array<{ partition: number; offset: number }> = [];
  readonly commits: Array<Array<{ partition: number; offset: number }>> = [];
  /** Next fetch position per assigned partition (what kafkajs calls the resolved offset). */
  readonly positions = new Map<number, number>();
  /** The next batch of these partitions is reported stale (a seek raced with a fetch). */
  readonly staleOnce = new Set<number>();
  pauseCalls = 0;
  resumeCalls = 0;

  constructor(
    readonly kafka: FakeKafka,
    readonly settings: KafkaConsumerSettings,
  ) {}

  async start(handlers: KafkaConsumerHandlers): Promise<void> {
    this.handlers = handlers;
    this.running = true;
    this.kafka.join(this);
  }

  /** Simulates a completed rebalance: the member now holds `partitions` (positions reset to committed). */
  assign(partitions: number[]): void {
    this.assignment = [...partitions];
    this.positions.clear();
    const committed = this.kafka.committed.get(key(this.settings.groupId, this.settings.topic));
    for (const p of partitions) {
      const records = this.kafka.log(this.settings.topic)[p];
      this.positions.set(p, committed?.get(p) ?? (this.settings.fromBeginning ? 0 : records.length));
    }
    this.handlers?.onAssignment([...partitions]);
    this.kafka.schedulePump();
  }

  /** Simulates the consumer dying for good. */
  crash(error: Error): void {
    this.running = false;
    this.kafka.leave(this);
    this.handlers?.onCrash(error);
  }

  seek(partition: number, offset: number): void {
    this.seeks.push({ partition, offset });
    if (this.assignment.includes(partition)) this.positions.set(partition, offset);
    this.kafka.schedulePump();
  }

  pause(): void {
    this.pauseCalls++;
    this.paused = true;
  }

  resume(): void {
    this.resumeCalls++;
    this.paused = false;
    this.kafka.schedulePump();
  }

  async commit(offsets: ReadonlyArray<{ partition: number; offset: number }>): Promise<void> {
    const failure = this.kafka.commitFailures.shift();
    if (failure) throw failure;
    this.commits.push(offsets.map((o) => ({ ...o })));
    this.kafka.commitFor(this.settings.groupId, this.settings.topic, offsets);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    const wasRunning = this.running;
    this.running = false;
    this.stopped = true;
    if (wasRunning) this.kafka.leave(this);
  }

  /** One fetch round over the assigned partitions; true when a batch moved a position. */
  fetchOnce(): boolean {
    if (!this.running || this.paused || !this.handlers) return false;
    let progress = false;
    for (const partition of this.assignment) {
      if (this.paused) break;
      const from = this.positions.get(partition) ?? 0;
      const records = this.kafka.log(this.settings.topic)[partition].slice(from, from + this.kafka.maxBatch);
      if (records.length === 0) continue;
      const stale = this.staleOnce.delete(partition);
      const outcome = this.handlers.onBatch({
        partition,
        records,
        reader: fakeKafkaRecords,
        isStale: () => stale,
      });
      // The double does not block inside a batch: a full queue pauses at once (waitForRoom(0)).
      if (outcome.full) void this.handlers.waitForRoom(0);
      if (outcome.nextOffset !== undefined && outcome.nextOffset !== from) {
        this.positions.set(partition, outcome.nextOffset);
        progress = true;
      }
    }
    return progress;
  }
}

function key(groupId: string, topic: string): string {
  return `${groupId}\u0000${topic}`;
}

function hash(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) >>> 0;
  return h;
}
