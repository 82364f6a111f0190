import { createHash } from 'node:crypto';

/** A stored record of the fake service. */
export interface FakeRecord {
  topic: string;
  partition: number;
  offset: number;
  shardingKey?: string;
  headers: Record<string, string>;
  /** Base64, as produced. */
  payload: string;
}

/** A consumer instance of the fake. */
export interface FakeConsumer {
  id: string;
  group: string;
  configs: Record<string, string>;
  cookie: string;
  topics: string[];
}

/** Thrown by `subscribe` when a partition has no position and `auto.offset.reset` is `none`. */
export class NoOffsetError extends Error {}

/**
 * The storage behind the fake streaming service, Kafka-like, written from the wire facts of
 * seed-wire-protocols.md: a topic has `partitions` logs; a group's members split the partitions of a topic
 * (member k of n owns partitions p with p % n == k, recomputed when a member joins or leaves); a group's
 * position per partition is set when it is first assigned (`auto.offset.reset`) and moved by commits. Every
 * poll answers the owned records from the committed position on, so uncommitted records come again until
 * committed, as in the seed's own fake.
 */
export class FakeStreamingLog {
  private readonly topics = new Map<string, FakeRecord[][]>();
  /** group → "topic/partition" → next offset to deliver. */
  private readonly positions = new Map<string, Map<string, number>>();
  readonly consumers = new Map<string, FakeConsumer>();

  constructor(
    private readonly partitions: number,
    private readonly maxRecordsPerPoll: number,
  ) {}

  append(
    topic: string,
    shardingKey: string | undefined,
    headers: Record<string, string>,
    payload: string,
  ): FakeRecord {
    const logs = this.logs(topic);
    // Records without a key stay in partition 0, in order; keyed ones are spread by a hash of the key.
    const partition = shardingKey === undefined ? 0 : hashPartition(shardingKey, this.partitions);
    const record: FakeRecord = {
      topic,
      partition,
      offset: logs[partition].length,
      shardingKey,
      headers,
      payload,
    };
    logs[partition].push(record);
    return record;
  }

  /** Subscribes a consumer; positions of newly assigned partitions follow its `auto.offset.reset`. */
  subscribe(consumer: FakeConsumer, topics: string[]): void {
    const positions = this.groupPositions(consumer.group);
    const reset = consumer.configs['auto.offset.reset'] ?? 'latest';
    for (const topic of topics) {
      const logs = this.logs(topic);
      for (let p = 0; p < logs.length; p++) {
        const id = `${topic}/${p}`;
        if (positions.has(id)) continue;
        if (reset === 'none')
          throw new NoOffsetError(
            `no committed offset for ${id} in group ${consumer.group} and auto.offset.reset is none`,
          );
        positions.set(id, reset === 'earliest' ? 0 : logs[p].length);
      }
    }
    consumer.topics = [...topics];
  }

  /** The uncommitted records of the partitions `consumer` owns, oldest first per partition. */
  poll(consumer: FakeConsumer): FakeRecord[] {
    const positions = this.groupPositions(consumer.group);
    const out: FakeRecord[] = [];
    for (const topic of consumer.topics)
      for (const partition of this.owned(consumer, topic)) {
        const from = positions.get(`${topic}/${partition}`) ?? 0;
        for (const record of this.logs(topic)[partition].slice(from)) {
          if (out.length >= this.maxRecordsPerPoll) return out;
          out.push(record);
        }
      }
    return out;
  }

  /** Moves the group past each committed offset (never backwards). */
  commit(consumer: FakeConsumer, offsets: Array<{ topic: string; partition: number; offset: number }>): void {
    const positions = this.groupPositions(consumer.group);
    for (const { topic, partition, offset } of offsets) {
      const id = `${topic}/${partition}`;
      positions.set(id, Math.max(positions.get(id) ?? 0, offset + 1));
    }
  }

  /** Every record of a topic, in partition then offset order (for assertions). */
  records(topic: string): FakeRecord[] {
    return this.logs(topic).flat();
  }

  private owned(consumer: FakeConsumer, topic: string): number[] {
    const members = [...this.consumers.values()]
      .filter((c) => c.group === consumer.group && c.topics.includes(topic))
      .map((c) => c.id);
    const index = members.indexOf(consumer.id);
    if (index < 0) return [];
    return Array.from({ length: this.partitions }, (_, p) => p).filter((p) => p % members.length === index);
  }

  private logs(topic: string): FakeRecord[][] {
    let logs = this.topics.get(topic);
    if (!logs) this.topics.set(topic, (logs = Array.from({ length: this.partitions }, () => [])));
    return logs;
  }

  private groupPositions(group: string): Map<string, number> {
    let positions = this.positions.get(group);
    if (!positions) this.positions.set(group, (positions = new Map()));
    return positions;
  }
}

function hashPartition(key: string, partitions: number): number {
  return createHash('md5').update(key).digest().readUInt32BE(0) % partitions;
}
