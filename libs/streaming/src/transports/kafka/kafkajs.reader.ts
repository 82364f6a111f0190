import type { Kafka, KafkaMessage } from 'kafkajs';
import { PermanentError, RetriesExhaustedError, retry, TemporaryError } from '@databus/common';
import { raceTimeout } from '@databus/common/internal';
import {
  KafkaConsumerHandlers,
  KafkaDriverBatch,
  KafkaDriverConsumer,
  KafkaReaderSettings,
} from './kafka-driver.interface';
import { mapKafkaError } from './kafka-error.mapper';
import { kafkajsRecords, ROOM_WAIT_MS } from './kafkajs.consumer';

/**
 * The kafkajs 2.x internals a group-less reader uses: a `Cluster` (metadata, brokers, ListOffsets) built the
 * way kafkajs builds its consumer's, so TLS, SASL, socket factory, retry and request timeout are the client's.
 * kafkajs is pinned (2.2.4, in maintenance mode); `kafkajs.reader.spec.ts` fails when these disappear, and the
 * driver falls back to a consumer group when they are missing at run time.
 */
export interface KafkajsCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  addTargetTopic(topic: string): Promise<void>;
  addMultipleTargetTopics(topics: string[]): Promise<void>;
  refreshMetadata(): Promise<void>;
  refreshMetadataIfNecessary(): Promise<void>;
  getNodeIds(): Array<number | string>;
  findTopicPartitionMetadata(topic: string): Array<{ partitionId: number; leader: number }>;
  findBroker(request: { nodeId: string }): Promise<KafkajsBroker>;
  removeBroker(location: { host: string; port: number }): void;
  fetchTopicsOffset(
    topics: Array<{ topic: string; partitions: Array<{ partition: number }>; fromBeginning: boolean }>,
  ): Promise<Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }>>;
}

/** A fetched partition, as kafkajs' Fetch response decoder gives it. */
export interface KafkajsPartitionData {
  partition: number;
  highWatermark: string;
  messages: Array<KafkaMessage & { isControlRecord?: boolean }>;
  abortedTransactions?: unknown[];
}

export interface KafkajsBroker {
  fetch(request: {
    maxWaitTime: number;
    minBytes: number;
    maxBytes: number;
    isolationLevel: number;
    topics: Array<{
      topic: string;
      partitions: Array<{ partition: number; fetchOffset: string; maxBytes: number }>;
    }>;
  }): Promise<{ responses: Array<{ topicName: string; partitions: KafkajsPartitionData[] }> }>;
  /** The builder of a request at the version this broker speaks (kafkajs sets it once connected). */
  lookupRequest?(apiKey: number, definition: unknown): (request: object) => unknown;
}

/** kafkajs' `Batch`: the messages of one fetched partition at or after the fetch offset, aborted and control records removed. */
export interface KafkajsBatch {
  readonly messages: KafkaMessage[];
  readonly rawMessages: unknown[];
  lastOffset(): string;
}
export type KafkajsBatchClass = new (
  topic: string,
  fetchedOffset: string,
  partitionData: KafkajsPartitionData,
) => KafkajsBatch;

/** kafkajs' isolation level of its consumers by default: aborted transactions are not delivered. */
const READ_COMMITTED = 1;

/**
 * How old a reader's metadata may get before a fetch round refreshes it: kafkajs' consumer default. kafkajs'
 * `Cluster` itself defaults to 0, which made every fetch round of a reader wait for a Metadata round trip.
 */
export const READER_METADATA_MAX_AGE_MS = 300_000;

/** Fetch attempts (with the reconnect backoff between them) before the reader gives up and reports a crash. */
export const READER_FETCH_ATTEMPTS = 6;

/** Broker answers after which the partition metadata is refreshed and the fetch tried again. */
const STALE_METADATA = new Set([
  'LEADER_NOT_AVAILABLE',
  'NOT_LEADER_FOR_PARTITION',
  'FENCED_LEADER_EPOCH',
  'UNKNOWN_LEADER_EPOCH',
  'UNKNOWN_TOPIC_OR_PARTITION',
]);

/**
 * A module of kafkajs' own source tree (`kafkajs/src/<path>`, not its public API), or `undefined` in a kafkajs
 * without it: the one place the reader reaches past kafkajs' exports (Node caches the module after the first load).
 */
function kafkajsModule(path: string): unknown {
  try {
    return require(`kafkajs/src/${path}`) as unknown;
  } catch {
    return undefined;
  }
}

/** The internals of a kafkajs client a reader needs, or `undefined` when this kafkajs has none of them. */
export function kafkajsInternals(
  kafka: Kafka,
): { createCluster: () => KafkajsCluster; Batch: KafkajsBatchClass } | undefined {
  const key = Object.getOwnPropertySymbols(kafka).find(
    (s) => s.description === 'private:Kafka:createCluster',
  );
  const create = key && (kafka as unknown as Record<symbol, unknown>)[key];
  if (typeof create !== 'function') return undefined;
  const Batch = kafkajsModule('consumer/batch');
  if (typeof Batch !== 'function') return undefined;
  return {
    createCluster: () =>
      (create as (o: object) => KafkajsCluster)({
        allowAutoTopicCreation: false,
        isolationLevel: READ_COMMITTED,
        metadataMaxAge: READER_METADATA_MAX_AGE_MS,
      }),
    Batch: Batch as KafkajsBatchClass,
  };
}

/**
 * Opens a cluster's connections ahead of a reader: the bootstrap broker, the cluster's metadata (with the
 * partitions and leaders of `topics`, the topics readers read before: a reader of one of them then starts
 * without a Metadata round trip), and a connection to every broker in it (the partition leaders a reader
 * fetches from are among them). When the metadata of `topics` cannot be had (one was deleted), `onStale` is
 * called and the cluster is warmed without them.
 */
export async function warmUp(
  cluster: KafkajsCluster,
  topics: readonly string[] = [],
  onStale: () => void = () => undefined,
): Promise<void> {
  await cluster.connect();
  let primed = false;
  if (topics.length > 0)
    try {
      // kafkajs asks for the target topics' metadata here (and keeps none of them when that fails).
      await cluster.addMultipleTargetTopics([...topics]);
      primed = true;
    } catch {
      onStale();
    }
  if (!primed) await cluster.refreshMetadata();
  const brokers = await Promise.all(
    cluster.getNodeIds().map((nodeId) => cluster.findBroker({ nodeId: String(nodeId) })),
  );
  if (brokers.length > 0) loadReaderProtocol(brokers[0]);
}

/**
 * Loads kafkajs' Fetch and ListOffsets protocol code at the versions `broker` speaks, by building the two
 * requests (nothing is sent). kafkajs loads a request's modules (request, response, record batch decoders) on
 * its first use: ~4-8 ms of module loading that the first subscription of a process otherwise waits for
 * between its subscribe call and its first record. Best effort: a kafkajs without these internals loads them
 * on first use as before.
 */
export function loadReaderProtocol(broker: KafkajsBroker): void {
  const requests = (kafkajsModule('protocol/requests') as { requests?: Record<string, unknown> } | undefined)
    ?.requests;
  const apiKeys = kafkajsModule('protocol/requests/apiKeys') as Record<string, number> | undefined;
  if (!requests || !apiKeys || typeof broker.lookupRequest !== 'function') return;
  try {
    broker.lookupRequest(
      apiKeys.Fetch,
      requests.Fetch,
    )({
      replicaId: -1,
      maxWaitTime: 0,
      minBytes: 1,
      maxBytes: 1,
      isolationLevel: READ_COMMITTED,
      topics: [],
    });
    broker.lookupRequest(
      apiKeys.ListOffsets,
      requests.ListOffsets,
    )({
      replicaId: -1,
      isolationLevel: READ_COMMITTED,
      topics: [],
    });
  } catch {
    // An API the broker does not offer: the reader's own request reports it.
  }
}

/** One partition of the topic. `generation` changes on seek: a fetch answer of an older one is dropped. */
interface ReaderPartition {
  readonly id: number;
  /** The next offset to fetch; unknown until a seek or the start offset look-up. */
  offset?: number;
  generation: number;
}

/**
 * Reads every partition of one topic without a consumer group: no JoinGroup, SyncGroup, offset fetch or
 * heartbeats, so a private subscription (which commits nothing) delivers its first stored record after one
 * metadata request, one ListOffsets and one Fetch. It implements the consumer seam, so the subscription on top
 * (positions, bounded queue, backpressure) is the one a group member has:
 * - `start` loads the topic's partitions, hands them all over as the assignment (the subscription seeks those
 *   with a start position), looks up the oldest or latest offset of the others, then starts one fetch loop per
 *   partition leader;
 * - a cluster warmed up with the topic's metadata (`warmUp`) starts on it without a Metadata round trip, and
 *   refreshes it once the first fetch answered: partitions added since are picked up then, moved leaders
 *   answer the first fetch with a stale-metadata error (below);
 * - a full queue is waited for inside the batch (`waitForRoom`), then the reader is paused until it drains;
 * - a moved leader or a lost broker: the metadata is refreshed and the fetch tried again with the reconnect
 *   backoff, `READER_FETCH_ATTEMPTS` times, then the failure goes to `onCrash` (the runtime re-subscribes);
 *   an offset out of range restarts that partition at its oldest (or latest) record, as kafkajs does;
 * - partitions added to the topic are picked up at the next metadata refresh (`metadataMaxAge`);
 * - `stop` closes the connections at once (a pending fetch fails and is ignored).
 */
export class KafkajsReader implements KafkaDriverConsumer {
  private readonly partitions = new Map<number, ReaderPartition>();
  private readonly loops = new Map<string, Promise<void>>();
  private handlers?: KafkaConsumerHandlers;
  private paused = false;
  private wakeUp: Array<() => void> = [];
  private stopped = false;
  private crashed = false;
  private stopping?: Promise<void>;
  private readonly closing = new AbortController();
  /** The topic's metadata came with the warmed-up cluster: it is refreshed after the first fetch. */
  private primed = false;

  constructor(
    private readonly cluster: KafkajsCluster,
    private readonly Batch: KafkajsBatchClass,
    private readonly settings: KafkaReaderSettings,
    private readonly onStopped: (reader: KafkajsReader) => void = () => undefined,
    /** The cluster's connections being opened ahead (`warmUp`); `start` waits for it to settle. */
    private readonly warming: Promise<unknown> = Promise.resolve(),
    /** Called once, when the first fetch answered or failed (or start failed). */
    private afterFirstFetch?: () => void,
  ) {}

  async start(handlers: KafkaConsumerHandlers): Promise<void> {
    const { topic, joinTimeoutMs } = this.settings;
    this.handlers = handlers;
    try {
      await raceTimeout(
        this.open(handlers),
        joinTimeoutMs,
        () =>
          new TemporaryError(
            `No partitions and start offsets of topic "${topic}" within ${joinTimeoutMs} ms.`,
          ),
      );
    } catch (error) {
      this.firstFetchDone();
      await this.stop().catch(() => undefined);
      throw mapKafkaError(error, 'consume', topic);
    }
    this.spawnLoops();
  }

  seek(partition: number, offset: number): void {
    const state = this.partitions.get(partition);
    if (!state) throw new TemporaryError(`Partition ${partition} of "${this.settings.topic}" is not known.`);
    state.offset = offset;
    state.generation++;
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.wake();
  }

  async commit(offsets: ReadonlyArray<{ partition: number; offset: number }>): Promise<void> {
    if (offsets.length === 0) return;
    throw new PermanentError(`A group-less reader of "${this.settings.topic}" has no group to commit for.`);
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.stopped = true;
      this.closing.abort();
      this.wake();
      // Connections being opened ahead would outlive a disconnect made before they are up.
      await this.warming.catch(() => undefined);
      await this.cluster.disconnect().catch(() => undefined);
      await Promise.allSettled([...this.loops.values()]);
      this.onStopped(this);
    })();
    return this.stopping;
  }

  // --- internals --------------------------------------------------------------------------------------

  private async open(handlers: KafkaConsumerHandlers): Promise<void> {
    await this.warming.catch(() => undefined);
    await this.cluster.connect();
    this.primed = this.knownPartitions();
    // Asks for the topic's metadata unless the warm-up had it.
    await this.cluster.addTargetTopic(this.settings.topic);
    const ids = this.partitionIds();
    if (ids.length === 0) throw new TemporaryError(`Topic "${this.settings.topic}" has no partitions (yet).`);
    for (const id of ids) this.partitions.set(id, { id, generation: 0 });
    handlers.onAssignment(ids);
    await this.startUnpositioned(ids);
  }

  /** Whether the cluster's metadata (from the warm-up) has partitions of the topic already. */
  private knownPartitions(): boolean {
    try {
      return this.cluster.findTopicPartitionMetadata(this.settings.topic).length > 0;
    } catch {
      return false; // no metadata loaded yet
    }
  }

  /** Partition ids of the topic in the current metadata, sorted. */
  private partitionIds(): number[] {
    return this.cluster
      .findTopicPartitionMetadata(this.settings.topic)
      .map((p) => p.partitionId)
      .sort((a, b) => a - b);
  }

  /**
   * Gives the partitions among `ids` that have no position yet their oldest (or latest) offset. The oldest is
   * taken to be 0 without asking (a topic whose retention removed nothing keeps it): a fetch there that is out
   * of range asks the broker (`lookUp`), so a `BEGIN` start costs no ListOffsets round trip.
   */
  private async startUnpositioned(ids: readonly number[], lookUp = false): Promise<void> {
    const wanted = ids
      .map((id) => this.partitions.get(id))
      .filter((p): p is ReaderPartition => p !== undefined && p.offset === undefined);
    if (wanted.length === 0) return;
    if (this.settings.fromBeginning && !lookUp) {
      for (const p of wanted) p.offset = 0;
      return;
    }
    const generations = new Map(wanted.map((p) => [p.id, p.generation]));
    const { topic, fromBeginning } = this.settings;
    const found = await this.cluster.fetchTopicsOffset([
      { topic, partitions: wanted.map((p) => ({ partition: p.id })), fromBeginning },
    ]);
    for (const { partition, offset } of found.find((t) => t.topic === topic)?.partitions ?? []) {
      const state = this.partitions.get(partition);
      // A seek made meanwhile wins over the default.
      if (state && state.generation === generations.get(partition)) state.offset = Number(offset);
    }
  }

  /** Partition ids per leader node id (partitions without a leader wait for the next refresh). */
  private leaders(): Map<string, number[]> {
    const byLeader = new Map<string, number[]>();
    for (const { partitionId, leader } of this.cluster.findTopicPartitionMetadata(this.settings.topic)) {
      if (!this.partitions.has(partitionId) || leader === undefined || leader === null || leader < 0)
        continue;
      const key = String(leader);
      const list = byLeader.get(key);
      if (list) list.push(partitionId);
      else byLeader.set(key, [partitionId]);
    }
    return byLeader;
  }

  /** Starts a fetch loop for every leader that has none. */
  private spawnLoops(): void {
    if (this.stopped || this.crashed) return;
    for (const nodeId of this.leaders().keys()) {
      if (this.loops.has(nodeId)) continue;
      const loop: Promise<void> = this.loop(nodeId).finally(() => {
        if (this.loops.get(nodeId) === loop) this.loops.delete(nodeId);
      });
      this.loops.set(nodeId, loop);
    }
  }

  /** Fetches the partitions `nodeId` leads until they moved elsewhere, the reader stopped or gave up. */
  private async loop(nodeId: string): Promise<void> {
    const { reconnect } = this.settings;
    while (this.active) {
      if (this.paused) {
        await this.untilWoken();
        continue;
      }
      let fetched: FetchedBatch[] | 'moved';
      try {
        fetched = await retry(
          () => this.fetchRound(nodeId),
          { attempts: READER_FETCH_ATTEMPTS, backoff: reconnect },
          {
            classify: (error) =>
              mapKafkaError(error, 'consume', this.settings.topic).retriable ? 'transient' : 'permanent',
            signal: this.closing.signal,
          },
        );
      } catch (error) {
        this.firstFetchDone();
        this.crash(error);
        return;
      }
      this.firstFetchDone();
      if (fetched === 'moved') return;
      for (const batch of fetched) if (!(await this.offer(batch))) break;
    }
  }

  private get active(): boolean {
    return !this.stopped && !this.crashed;
  }

  /**
   * One Fetch from `nodeId` of the partitions it leads. A stale-metadata answer or a lost connection refreshes
   * the metadata (and starts loops for new leaders) before it is thrown for the retry; `'moved'` when the node
   * leads none of the partitions any more.
   */
  private async fetchRound(nodeId: string): Promise<FetchedBatch[] | 'moved'> {
    if (!this.active) return [];
    try {
      await this.cluster.refreshMetadataIfNecessary();
      this.pickUpNewPartitions();
      const led = this.leaders().get(nodeId);
      if (!led) return 'moved';
      const { maxWaitTimeMs = 100, minBytes = 1, maxBytes = 10_485_760 } = this.settings;
      const maxBytesPerPartition = this.settings.maxBytesPerPartition ?? 1_048_576;
      // A partition without a position yet (picked up since) gets one, also beside partitions being read.
      if (led.some((id) => this.partitions.get(id)?.offset === undefined)) await this.startUnpositioned(led);
      const asked: Array<{ state: ReaderPartition; offset: number; generation: number }> = [];
      for (const id of led) {
        const state = this.partitions.get(id);
        if (state?.offset !== undefined)
          asked.push({ state, offset: state.offset, generation: state.generation });
      }
      if (asked.length === 0) return [];
      const broker = await this.cluster.findBroker({ nodeId });
      const { topic } = this.settings;
      const { responses } = await broker.fetch({
        maxWaitTime: maxWaitTimeMs,
        minBytes,
        maxBytes,
        isolationLevel: READ_COMMITTED,
        topics: [
          {
            topic,
            partitions: asked.map((a) => ({
              partition: a.state.id,
              fetchOffset: String(a.offset),
              maxBytes: maxBytesPerPartition,
            })),
          },
        ],
      });
      const out: FetchedBatch[] = [];
      for (const response of responses) {
        if (response.topicName !== topic) continue;
        for (const data of response.partitions) {
          const request = asked.find((a) => a.state.id === data.partition);
          if (!request) continue;
          out.push({ ...request, batch: new this.Batch(topic, String(request.offset), data) });
        }
      }
      return out;
    } catch (error) {
      if (!this.active) return [];
      await this.recover(error);
      if (isOffsetOutOfRange(error)) return [];
      throw error;
    }
  }

  /** What a failed fetch calls for before it is tried again. */
  private async recover(error: unknown): Promise<void> {
    const e = error as { name?: string; type?: string; host?: string; port?: number; partition?: number };
    try {
      if (isOffsetOutOfRange(error)) {
        const state = e.partition === undefined ? undefined : this.partitions.get(e.partition);
        if (state) {
          state.offset = undefined;
          state.generation++;
          await this.startUnpositioned([state.id], true);
        }
        return;
      }
      if (e.name === 'KafkaJSConnectionClosedError' && e.host !== undefined && e.port !== undefined)
        this.cluster.removeBroker({ host: e.host, port: e.port });
      if (
        STALE_METADATA.has(e.type ?? '') ||
        e.name === 'KafkaJSConnectionError' ||
        e.name === 'KafkaJSConnectionClosedError' ||
        e.name === 'KafkaJSBrokerNotFound' ||
        e.name === 'KafkaJSRequestTimeoutError' ||
        e.name === 'KafkaJSTopicMetadataNotLoaded'
      ) {
        await this.cluster.refreshMetadata();
        this.pickUpNewPartitions();
        this.spawnLoops();
      }
    } catch {
      // The broker is still away: the next attempt tries again after the backoff.
    }
  }

  /** Partitions added to the topic since the last look: handed over as a new assignment, started by default. */
  private pickUpNewPartitions(): void {
    const ids = this.partitionIds();
    const added = ids.filter((id) => !this.partitions.has(id));
    if (added.length === 0) return;
    for (const id of added) this.partitions.set(id, { id, generation: 0 });
    this.handlers?.onAssignment(ids);
    this.spawnLoops();
  }

  /**
   * Offers one fetched partition to the subscription; when its queue is full, waits inside the batch for room
   * and offers it again (the subscription skips what it took). False when the loop should fetch again now.
   */
  private async offer(fetched: FetchedBatch): Promise<boolean> {
    const { state, generation, batch } = fetched;
    const handlers = this.handlers;
    const stale = (): boolean => !this.active || state.generation !== generation;
    if (!handlers || stale()) return true;
    const messages = batch.messages;
    const after =
      messages.length === 0 && batch.rawMessages.length === 0 ? undefined : Number(batch.lastOffset()) + 1;
    if (messages.length === 0) {
      // Nothing to deliver: only control records, aborted or compacted-away ones; step over them.
      if (after !== undefined && after > fetched.offset) state.offset = after;
      return true;
    }
    const offered: KafkaDriverBatch<KafkaMessage> = {
      partition: state.id,
      records: messages,
      reader: kafkajsRecords,
      isStale: stale,
    };
    for (;;) {
      if (stale()) return true;
      const outcome = handlers.onBatch(offered);
      if (outcome.nextOffset !== undefined && !stale())
        state.offset =
          outcome.full || after === undefined ? outcome.nextOffset : Math.max(outcome.nextOffset, after);
      if (!outcome.full) return true;
      if (!(await handlers.waitForRoom(ROOM_WAIT_MS))) return false;
    }
  }

  /**
   * After the first fetch answered (or failed): what waited for it runs once the answer went on to the
   * subscription (a macrotask later: the records reach the runtime first).
   */
  private firstFetchDone(): void {
    const call = this.afterFirstFetch;
    this.afterFirstFetch = undefined;
    const primed = this.primed;
    this.primed = false;
    if (call || primed)
      setImmediate(() => {
        call?.();
        if (primed) void this.refreshPrimed();
      });
  }

  /**
   * Replaces metadata that came with the warm-up (it may predate partitions added since, or a leader move)
   * by the cluster's current one, and picks up what changed; after the first fetch, so it does not delay it.
   */
  private async refreshPrimed(): Promise<void> {
    try {
      await this.cluster.refreshMetadata();
    } catch {
      return; // a failing fetch refreshes the metadata itself
    }
    if (!this.active) return;
    this.pickUpNewPartitions();
    this.spawnLoops();
  }

  private crash(error: unknown): void {
    if (!this.active) return;
    this.crashed = true;
    this.wake();
    // The last failure itself, mapped as a group member's would be (the attempts are in the log of the retry).
    const last = error instanceof RetriesExhaustedError ? error.cause : error;
    this.handlers?.onCrash(mapKafkaError(last, 'consume', this.settings.topic));
  }

  /** Resolves on `resume`, `stop` or a crash. */
  private untilWoken(): Promise<void> {
    return new Promise<void>((resolve) => this.wakeUp.push(resolve));
  }

  private wake(): void {
    const waiting = this.wakeUp;
    this.wakeUp = [];
    for (const resolve of waiting) resolve();
  }
}

/** A fetched partition with the position and generation it was asked at. */
interface FetchedBatch {
  state: ReaderPartition;
  offset: number;
  generation: number;
  batch: KafkajsBatch;
}

function isOffsetOutOfRange(error: unknown): boolean {
  return (error as { name?: string })?.name === 'KafkaJSOffsetOutOfRange';
}
