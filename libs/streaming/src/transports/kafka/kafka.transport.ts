import { randomUUID } from 'node:crypto';
import { describeAttempt, isRetriable, retry, TemporaryError } from '@databus/common';
import { raceAbort } from '@databus/common/internal';
import { NoCommittedPositionError, SubscriptionClosedError } from '../../errors';
import { BaseTransport } from '../../transport/base-transport';
import type { DatasetPatternMatcher } from '../../transport/dataset-pattern';
import { defineCapabilities } from '../../transport/transport-capabilities';
import { IncomingRecord, OutgoingRecord, ProduceResult } from '../../transport/transport-record.interface';
import {
  StreamingTransport,
  SubscriptionSpec,
  TransportContext,
  TransportSubscription,
} from '../../transport/transport.interface';
import { KafkaDriver } from './kafka-driver.interface';
import { mapKafkaError } from './kafka-error.mapper';
import { PartitionPositions, resolvePositions } from './kafka-positions';
import { defaultReplyTopic, isReplyTopic, KafkaReplyInbox, replyGroupPrefix } from './kafka-reply-inbox';
import { toKafkaMessage } from './kafka-wire';
import {
  assertTopic,
  KAFKA_CONSUMER_SETTING_KEYS,
  resolveConsumerTuning,
  resolveKafkaOptions,
  ResolvedKafkaOptions,
} from './kafka.options';
import { DeliveredMark, KafkaSubscription } from './kafka.subscription';

/** Builds the driver once the options are validated (the kafkajs driver by default; a double in tests). */
export type KafkaDriverFactory = (
  context: TransportContext,
  options: ResolvedKafkaOptions,
) => Promise<{ driver: KafkaDriver; dispose?: () => void }>;

/** Attempts to create one topic after retriable failures, per process. */
const TOPIC_ATTEMPTS = 3;

const CAPABILITIES = defineCapabilities({
  ackMode: 'position',
  nack: false,
  pipelinedAcks: true, // KafkaCommitter sends one commit at a time, the highest planned offsets
  channelSettings: {
    requestTimeoutMs: true,
    sessionTimeoutMs: true,
    extraConfigs: KAFKA_CONSUMER_SETTING_KEYS,
  },
  datasetPatterns: 'listed',
});

/**
 * The `kafka://` transport: datasets are topics, groups are consumer groups (a private subscription joins
 * none: the driver's group-less `reader`, or a throwaway group without one), `sequence` is the offset and `partition` the partition. Commits are watermarks
 * (`ackMode: 'position'`). The Kafka client sits behind `KafkaDriver` (kafkajs by default).
 */
export class KafkaTransport extends BaseTransport<KafkaSubscription, 'kafka'> implements StreamingTransport {
  readonly options: ResolvedKafkaOptions;
  /** The topic this instance receives replies on. */
  readonly replyTopic: string;
  private driver?: KafkaDriver;
  private disposeDriver?: () => void;
  private readonly topics = new Map<string, Promise<void>>();
  private readonly topicAttempts = new Map<string, number>();
  private readonly delivered = new Map<string, Map<number, DeliveredMark>>();
  private readonly inbox: KafkaReplyInbox;
  /** Aborted by `close()`: ends the waits of produces retrying through an outage. */
  private readonly closing = new AbortController();

  constructor(
    context: TransportContext,
    private readonly createDriver: KafkaDriverFactory,
  ) {
    super('kafka', CAPABILITIES, context);
    this.options = resolveKafkaOptions(context.transportOptions, context.url.query);
    this.replyTopic = this.options.replyTopic ?? defaultReplyTopic(context.clientId);
    this.inbox = new KafkaReplyInbox({
      driver: this.lazyDriver(),
      topic: this.replyTopic,
      groupPrefix: replyGroupPrefix(context.clientId),
      ensureTopic: (topic) => this.ensureTopic(topic),
      settings: { ...this.options.consumer, joinTimeoutMs: this.options.joinTimeoutMs },
      logger: context.logger,
    });
  }

  async connect(): Promise<void> {
    this.assertOpen('connect');
    this.statusEmitter.set({ type: 'connecting' });
    try {
      if (!this.driver) {
        const built = await this.createDriver(this.context, this.options);
        this.driver = built.driver;
        this.disposeDriver = built.dispose;
      }
      await this.driver.connect();
      this.statusEmitter.set({ type: 'connected' });
    } catch (error) {
      const mapped = mapKafkaError(error, 'connect');
      this.statusEmitter.set(
        mapped.retriable ? { type: 'disconnected', error: mapped } : { type: 'failed', error: mapped },
      );
      throw mapped;
    }
  }

  async produce(dataset: string, records: readonly OutgoingRecord[]): Promise<ProduceResult[]> {
    return this.send(
      dataset,
      records.map((r) => toKafkaMessage(r)),
    );
  }

  async subscribe(spec: SubscriptionSpec): Promise<TransportSubscription> {
    const driver = this.requireDriver('subscribe');
    const topic = assertTopic(spec.dataset, 'dataset');
    const tuning = {
      ...this.options.consumer,
      ...(spec.consumerConfig ? resolveConsumerTuning(spec.consumerConfig, 'consumerConfig') : {}),
    };
    try {
      await this.ensureTopic(topic);
      const durable = spec.group !== undefined;
      const groupId = spec.group ?? `${this.context.clientId}.private.${randomUUID()}`;
      let startPositions: PartitionPositions | undefined;
      if (durable) {
        const committed = await driver.committedOffsets(groupId, topic);
        if (!committed.some((c) => c.offset !== undefined)) {
          if (spec.start.kind === 'none') throw new NoCommittedPositionError(topic, spec.group);
          startPositions = await resolvePositions(driver, topic, spec.start);
        }
      } else if (spec.start.kind !== 'begin') {
        // BEGIN needs no look-up: a fresh group consuming `fromBeginning` starts every partition at its oldest
        // record (the client asks for it after the join), so the join is not held up by an offsets round trip.
        startPositions = await resolvePositions(driver, topic, spec.start);
      }
      const fromBeginning = spec.start.kind !== 'latest';
      const { joinTimeoutMs } = this.options;
      // A private subscription commits nothing: a reader that joins no group starts it without the join.
      const reader = durable
        ? undefined
        : driver.reader?.({
            ...tuning,
            topic,
            fromBeginning,
            joinTimeoutMs,
            reconnect: this.context.reconnect,
          });
      const consumer = reader ?? driver.consumer({ ...tuning, groupId, topic, fromBeginning, joinTimeoutMs });
      const deliveredKey = `${groupId}\u0000${topic}`;
      let delivered = this.delivered.get(deliveredKey);
      if (!delivered) this.delivered.set(deliveredKey, (delivered = new Map()));
      const subscription = new KafkaSubscription({
        driver,
        consumer,
        spec,
        groupId,
        membership: durable ? 'durable' : reader ? 'none' : 'throwaway',
        startPositions,
        delivered,
        logger: this.context.logger,
        onClose: (s) => {
          this.subscriptions.delete(s);
          if (!durable) this.delivered.delete(deliveredKey);
        },
      });
      this.subscriptions.add(subscription);
      try {
        await consumer.start(subscription);
      } catch (error) {
        this.subscriptions.delete(subscription);
        await consumer.stop().catch(() => undefined);
        throw error;
      }
      return subscription;
    } catch (error) {
      throw mapKafkaError(error, 'consume', topic);
    }
  }

  /**
   * The topics `pattern` matches (the same regular-expression match kafkajs makes for `subscribe({ topics:
   * [RegExp] })`, on the topics that exist now), without Kafka's internal `__` topics and reply topics.
   */
  async listDatasets(pattern: DatasetPatternMatcher): Promise<string[]> {
    const topics = await this.requireDriver('subscribe').listTopics();
    return topics.filter(
      (topic) => !topic.startsWith('__') && !isReplyTopic(topic, this.replyTopic) && pattern.matches(topic),
    );
  }

  async request(dataset: string, record: OutgoingRecord, timeoutMs: number): Promise<IncomingRecord> {
    this.requireDriver('request');
    await this.inbox.ready().catch((error) => {
      throw mapKafkaError(error, 'connect', this.replyTopic);
    });
    const correlationId = randomUUID();
    const reply = this.inbox.expect(correlationId, dataset, timeoutMs);
    try {
      await this.send(dataset, [toKafkaMessage(record, { replyTo: this.replyTopic, correlationId })]);
    } catch (error) {
      this.inbox.cancel(correlationId);
      throw error;
    }
    return reply;
  }

  async reply(replyTo: string, correlationId: string | undefined, record: OutgoingRecord): Promise<void> {
    await this.send(replyTo, [toKafkaMessage(record, { correlationId })]);
  }

  protected async shutdown(): Promise<void> {
    this.closing.abort(new SubscriptionClosedError('produce', 'kafka transport'));
    await this.closeSubscriptions();
    await this.inbox.close().catch(() => undefined);
    await this.driver?.disconnect().catch(() => undefined);
    this.disposeDriver?.();
  }

  /**
   * Produces with a bound: temporary failures (a broker gone, a partition without a leader during an
   * election) are tried again with the reconnect backoff until `produceTimeoutMs`, as kafkajs gives up
   * after its own few retries (at once when a lost broker's connection is refused); a refusal fails at once.
   */
  private async send(
    dataset: string,
    messages: Parameters<KafkaDriver['produce']>[1],
  ): Promise<ProduceResult[]> {
    const driver = this.requireDriver('produce');
    const topic = assertTopic(dataset, 'dataset');
    const timeoutMs = this.context.produceTimeoutMs;
    try {
      const acks = await retry(
        async (_attempt, deadline) => {
          try {
            return await raceAbort(
              this.ensureTopic(topic).then(() => driver.produce(topic, messages)),
              deadline,
            );
          } catch (error) {
            if (!deadline.aborted || error !== deadline.reason) throw mapKafkaError(error, 'produce', topic);
            throw new TemporaryError(
              `Kafka did not acknowledge ${messages.length} record(s) for "${topic}" within ${timeoutMs} ms.`,
              // the cause marks this as the deadline's cut: retry() then names the attempt before, if any
              { cause: deadline.reason },
            );
          }
        },
        { attempts: Number.POSITIVE_INFINITY, deadlineMs: timeoutMs, backoff: this.context.reconnect },
        {
          deadlineOption: 'StreamingModule.produceTimeoutMs',
          onAttempt: (report) => {
            if (report.outcome === 'retry' && this.statusEmitter.status.type === 'connected')
              this.statusEmitter.set({ type: 'disconnected', error: report.error as Error });
            if (report.outcome === 'retry')
              this.context.logger.warn(describeAttempt(`Producing to "${topic}"`, report));
          },
          signal: this.closing.signal,
        },
      );
      if (this.statusEmitter.status.type === 'disconnected') this.statusEmitter.set({ type: 'connected' });
      return acks.map((a) => ({ sequence: a.offset, partition: a.partition }));
    } catch (error) {
      const mapped = mapKafkaError(error, 'produce', topic);
      if (mapped.retriable && !this.closed) this.statusEmitter.set({ type: 'disconnected', error: mapped });
      throw mapped;
    }
  }

  /**
   * Creates a topic once per process when `autoCreateTopics` is on. Best effort: a refused creation (ACLs, a
   * broker without the CreateTopics API) is logged at debug and the topic is used as it is (the broker may
   * auto-create it); if it really is missing, the produce or subscribe that follows fails with its own error.
   * A retriable failure is tried again the next time, at most `TOPIC_ATTEMPTS` times per topic.
   */
  private ensureTopic(topic: string): Promise<void> {
    if (!this.options.autoCreateTopics) return Promise.resolve();
    let ready = this.topics.get(topic);
    if (!ready) {
      const attempt = (this.topicAttempts.get(topic) ?? 0) + 1;
      this.topicAttempts.set(topic, attempt);
      ready = this.requireDriver('create a topic')
        .ensureTopic(topic)
        .catch((error: unknown) => {
          if (isRetriable(error) && attempt < TOPIC_ATTEMPTS) this.topics.delete(topic);
          this.context.logger.debug(`Topic "${topic}" not created: ${(error as Error)?.message}`);
        });
      this.topics.set(topic, ready);
    }
    return ready;
  }

  /** The driver methods the inbox uses, resolved at call time (the driver exists only after connect). */
  private lazyDriver(): KafkaDriver {
    const get = (): KafkaDriver => this.requireDriver('request');
    return {
      connect: () => get().connect(),
      produce: (t, m) => get().produce(t, m),
      listTopics: () => get().listTopics(),
      ensureTopic: (t) => get().ensureTopic(t),
      partitionRanges: (t) => get().partitionRanges(t),
      offsetsForTime: (t, ts) => get().offsetsForTime(t, ts),
      committedOffsets: (g, t) => get().committedOffsets(g, t),
      deleteGroup: (g) => get().deleteGroup(g),
      consumer: (s) => get().consumer(s),
      disconnect: () => get().disconnect(),
    };
  }

  private requireDriver(operation: string): KafkaDriver {
    this.assertOpen(operation);
    if (!this.driver)
      throw new TemporaryError(`Cannot ${operation}: the kafka transport is not connected yet.`);
    return this.driver;
  }
}
