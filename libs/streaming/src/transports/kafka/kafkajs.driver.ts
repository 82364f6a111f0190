import { Admin, Kafka, KafkaConfig, Partitioners, Producer } from 'kafkajs';
import { ConfigurationError, retry, TemporaryError } from '@databus/common';
import {
  KafkaConsumerSettings,
  KafkaDriver,
  KafkaDriverConsumer,
  KafkaOutgoingMessage,
  KafkaPartitionRange,
  KafkaProduceAck,
  KafkaReaderSettings,
} from './kafka-driver.interface';
import { mapKafkaError } from './kafka-error.mapper';
import { KafkajsConsumer } from './kafkajs.consumer';
import { KafkajsCluster, kafkajsInternals, KafkajsReader, warmUp } from './kafkajs.reader';

/**
 * Answers of a broker whose group coordinator or partition leaders are still being set up (a fresh broker
 * creating `__consumer_offsets`, a topic created a moment ago, a restart). kafkajs' admin returns them to
 * the caller instead of retrying; a real broker gives them for a few hundred milliseconds.
 */
const NOT_READY_TYPES = new Set([
  'NOT_COORDINATOR_FOR_GROUP',
  'GROUP_COORDINATOR_NOT_AVAILABLE',
  'GROUP_LOAD_IN_PROGRESS',
  'NOT_LEADER_FOR_PARTITION',
  'LEADER_NOT_AVAILABLE',
]);

/** How many of the topics readers read last the next reader's connection is warmed with (their metadata). */
const PRIMED_TOPICS = 32;

/** Runs an admin request again (about 5 s in all) while the broker answers that it is not ready. */
function untilReady<T>(operation: () => Promise<T>): Promise<T> {
  return retry(
    operation,
    { attempts: 10, backoff: { initialMs: 100, maxMs: 1000 } },
    {
      classify: (error) =>
        NOT_READY_TYPES.has((error as { type?: string }).type ?? '') ? 'transient' : 'permanent',
    },
  );
}

/** Producer and topic settings of the kafkajs driver. */
export interface KafkajsDriverOptions {
  idempotent: boolean;
  numPartitions?: number;
  replicationFactor?: number;
  minInsyncReplicas?: number;
}

/**
 * The kafkajs 2.x implementation of the driver seam. It hides kafkajs' conventions from the transport:
 * `resolveOffset(o)` means "fetch o + 1 next", `seek` only works on assigned partitions after `run()`, the
 * consumer is never restarted by kafkajs (`restartOnFailure: false`: the transport's runtime re-subscribes),
 * offsets are committed only on request (`autoCommit: false`) and exactly as given.
 */
export class KafkajsDriver implements KafkaDriver {
  private readonly kafka: Kafka;
  private producer?: Producer;
  private admin?: Admin;
  private readonly consumers = new Set<KafkajsConsumer | KafkajsReader>();
  /** The internals of kafkajs group-less readers use (`undefined` in a kafkajs without them). */
  private readonly internals: ReturnType<typeof kafkajsInternals>;
  /** The connection of the next reader, opened ahead. */
  private spare?: { cluster: KafkajsCluster; warming: Promise<void> };
  /** Topics readers read, the most recent last: the next reader's connection is warmed with their metadata. */
  private readonly readTopics = new Set<string>();

  constructor(
    private readonly config: KafkaConfig,
    private readonly options: KafkajsDriverOptions,
  ) {
    this.kafka = new Kafka(config);
    this.internals = kafkajsInternals(this.kafka);
  }

  async connect(): Promise<void> {
    try {
      this.producer ??= this.kafka.producer({
        idempotent: this.options.idempotent,
        allowAutoTopicCreation: true,
        // The Java-compatible murmur2 partitioner (kafkajs' default since 2.0, named to silence its warning).
        createPartitioner: Partitioners.DefaultPartitioner,
        // kafkajs' retry of a send (2.2.4, sendMessages) re-sends only to brokers that gave no answer yet,
        // remembered from the first attempt: when a partition's leadership moves to a broker that had
        // already answered for its own partitions, that partition's records are never sent and the send
        // resolves (records lost on a leader failover of a multi-partition batch). So the plain producer
        // makes one attempt per send and the transport sends the whole batch again (until produceTimeoutMs).
        // kafkajs refuses an idempotent producer without retries: that one keeps kafkajs' retry.
        ...(this.options.idempotent ? { maxInFlightRequests: 1 } : { retry: { retries: 0 } }),
      });
      this.admin ??= this.kafka.admin();
      this.warmSpare();
      await this.producer.connect();
      await this.admin.connect();
    } catch (error) {
      throw mapKafkaError(error, 'connect');
    }
    await this.checkReplicationFactor(this.admin);
  }

  /**
   * Refuses a `replicationFactor` above the cluster's size: the larger of the brokers the cluster reports
   * alive and the bootstrap hosts of the URL (so an app that starts while one broker is down is not refused).
   */
  private async checkReplicationFactor(admin: Admin): Promise<void> {
    const wanted = this.options.replicationFactor;
    if (wanted === undefined || wanted === 1) return;
    let alive: number;
    try {
      alive = (await admin.describeCluster()).brokers.length;
    } catch (error) {
      throw mapKafkaError(error, 'admin');
    }
    const hosts = Array.isArray(this.config.brokers) ? this.config.brokers.length : 0;
    const size = Math.max(alive, hosts);
    if (wanted > size)
      throw new ConfigurationError(
        'transportOptions.replicationFactor',
        `at most ${size} (the Kafka cluster has ${alive} broker(s) up and the URL names ${hosts} host(s))`,
        { received: String(wanted) },
      );
  }

  async produce(topic: string, messages: readonly KafkaOutgoingMessage[]): Promise<KafkaProduceAck[]> {
    const producer = this.require(this.producer);
    try {
      const metadata = await producer.send({
        topic,
        acks: -1,
        // The messages as they are, not a copy each: kafkajs only reads them (an absent key is a null key).
        messages: messages as KafkaOutgoingMessage[],
      });
      // kafkajs reports one base offset per partition; offsets per record are known for one partition only.
      if (metadata.length === 1 && metadata[0].baseOffset !== undefined) {
        const base = Number(metadata[0].baseOffset);
        return messages.map((_, i) => ({ partition: metadata[0].partition, offset: base + i }));
      }
      return messages.map(() => ({}));
    } catch (error) {
      throw mapKafkaError(error, 'produce', topic);
    }
  }

  async ensureTopic(topic: string): Promise<void> {
    const admin = this.require(this.admin);
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: [
          {
            topic,
            ...(this.options.numPartitions ? { numPartitions: this.options.numPartitions } : {}),
            ...(this.options.replicationFactor ? { replicationFactor: this.options.replicationFactor } : {}),
            ...(this.options.minInsyncReplicas
              ? {
                  configEntries: [
                    { name: 'min.insync.replicas', value: String(this.options.minInsyncReplicas) },
                  ],
                }
              : {}),
          },
        ],
      });
    } catch (error) {
      throw mapKafkaError(error, 'admin', topic);
    }
  }

  async listTopics(): Promise<string[]> {
    try {
      return await this.require(this.admin).listTopics();
    } catch (error) {
      throw mapKafkaError(error, 'admin');
    }
  }

  async partitionRanges(topic: string): Promise<KafkaPartitionRange[]> {
    try {
      const admin = this.require(this.admin);
      const offsets = await untilReady(() => admin.fetchTopicOffsets(topic));
      return offsets.map((o) => ({ partition: o.partition, low: Number(o.low), high: Number(o.high) }));
    } catch (error) {
      throw mapKafkaError(error, 'admin', topic);
    }
  }

  async offsetsForTime(
    topic: string,
    timestamp: number,
  ): Promise<Array<{ partition: number; offset: number }>> {
    try {
      const admin = this.require(this.admin);
      const offsets = await untilReady(() => admin.fetchTopicOffsetsByTimestamp(topic, timestamp));
      return offsets.map((o) => ({ partition: o.partition, offset: Number(o.offset) }));
    } catch (error) {
      throw mapKafkaError(error, 'admin', topic);
    }
  }

  async committedOffsets(
    groupId: string,
    topic: string,
  ): Promise<Array<{ partition: number; offset?: number }>> {
    try {
      const admin = this.require(this.admin);
      const topics = await untilReady(() => admin.fetchOffsets({ groupId, topics: [topic] }));
      const partitions = topics.find((t) => t.topic === topic)?.partitions ?? [];
      return partitions.map((p) =>
        Number(p.offset) >= 0
          ? { partition: p.partition, offset: Number(p.offset) }
          : { partition: p.partition },
      );
    } catch (error) {
      throw mapKafkaError(error, 'admin', topic);
    }
  }

  async deleteGroup(groupId: string): Promise<void> {
    try {
      const admin = this.require(this.admin);
      await untilReady(() => admin.deleteGroups([groupId]));
    } catch (error) {
      throw mapKafkaError(error, 'admin', groupId);
    }
  }

  /**
   * Every consumer gets a kafkajs client of its own. A kafkajs client keeps one table of committed offsets per
   * group id, shared by every consumer it creates (2.2.4, `Kafka` hands its offsets Map to each cluster), and
   * each member's join (`OffsetManager`) empties that table and keeps only its own topics. Two consumers of
   * one group on one client (a group shared by several datasets, `open({ group, datasets: [{ pattern }] })`)
   * thus erase each other's topic: the other one's next fetch fails in `OffsetManager.resolveOffsets` with
   * `Cannot read properties of undefined (reading '0')` and the consumer crashes, whenever one join lands
   * after the other member's offsets were fetched (seen after a broker restart). A client costs no
   * connection of its own: kafkajs opens one cluster (connections) per consumer anyway.
   */
  consumer(settings: KafkaConsumerSettings): KafkaDriverConsumer {
    const kafka = new Kafka(
      settings.requestTimeoutMs === undefined
        ? this.config
        : { ...this.config, requestTimeout: settings.requestTimeoutMs },
    );
    const consumer = new KafkajsConsumer(kafka, settings, (c) => this.consumers.delete(c));
    this.consumers.add(consumer);
    return consumer;
  }

  /**
   * A group-less reader on a cluster (connections) of its own, built by kafkajs from this client's settings;
   * `undefined` when this kafkajs lacks the internals it needs (the transport then uses a throwaway group).
   */
  reader(settings: KafkaReaderSettings): KafkaDriverConsumer | undefined {
    this.readTopics.delete(settings.topic);
    this.readTopics.add(settings.topic);
    if (this.readTopics.size > PRIMED_TOPICS)
      this.readTopics.delete(this.readTopics.values().next().value as string);
    let spare: { cluster: KafkajsCluster; warming?: Promise<void> };
    let internals = this.internals;
    if (settings.requestTimeoutMs === undefined && internals) {
      spare = this.spare ?? { cluster: internals.createCluster() };
      this.spare = undefined;
    } else {
      internals = kafkajsInternals(new Kafka({ ...this.config, requestTimeout: settings.requestTimeoutMs }));
      if (!internals) return undefined;
      spare = { cluster: internals.createCluster() };
    }
    const reader = new KafkajsReader(
      spare.cluster,
      internals.Batch,
      settings,
      (r) => this.consumers.delete(r),
      spare.warming,
      // The next reader's connections are opened once this one fetched, not while it starts.
      () => this.warmSpare(),
    );
    this.consumers.add(reader);
    return reader;
  }

  /**
   * Opens the connections of the next reader ahead of time (one idle connection per broker and transport), so
   * a private subscription does not wait for TCP connects and the brokers' API versions before its first fetch,
   * nor (on a topic read before) for the topic's metadata.
   */
  private warmSpare(): void {
    if (!this.internals || this.spare || !this.producer) return;
    const cluster = this.internals.createCluster();
    const warming = warmUp(cluster, [...this.readTopics], () => this.readTopics.clear());
    warming.catch(() => undefined); // a reader taking it connects again
    this.spare = { cluster, warming };
  }

  async disconnect(): Promise<void> {
    await Promise.allSettled([...this.consumers].map((c) => c.stop()));
    const producer = this.producer;
    const admin = this.admin;
    const spare = this.spare;
    this.spare = undefined;
    this.producer = undefined;
    this.admin = undefined;
    await Promise.allSettled([
      producer?.disconnect(),
      admin?.disconnect(),
      spare?.warming.then(
        () => spare.cluster.disconnect(),
        () => spare.cluster.disconnect(),
      ),
    ]);
  }

  private require<T>(client: T | undefined): T {
    if (!client) throw new TemporaryError('The Kafka client is not connected.');
    return client;
  }
}
