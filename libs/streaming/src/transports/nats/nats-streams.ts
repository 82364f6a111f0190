import { retry } from '@databus/common';
import { PromiseMemo } from '@databus/common/internal';
import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  RetentionPolicy,
  StorageType,
  type ConsumerConfig,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { nanos } from './nats-client';
import { NoCommittedPositionError } from '../../errors';
import { Offset, unknownOffset } from '../../offset/offset';
import type { DatasetPatternMatcher } from '../../transport/dataset-pattern';
import { SubscriptionSpec } from '../../transport/transport.interface';
import { isConsumerNotFound, mapNatsError } from './nats-error.mapper';
import { mapReplicaRefusal } from './nats-replicas';
import { datasetSubject, jetStreamName } from './nats-naming';
import { ResolvedNatsOptions } from './nats.options';

const DUPLICATE_WINDOW_MS = 120_000;

/** Where a dataset lives: its stream and subject. */
export interface DatasetLocation {
  stream: string;
  subject: string;
}

/**
 * JetStream administration for the transport: finds or creates the stream of a dataset (cached), and
 * creates, reuses or recreates the pull consumers behind subscriptions.
 * - A dataset whose subject is already captured by a stream (the user's own) uses that stream.
 * - Otherwise a stream `<streamPrefix><dataset>` on subject `<subjectPrefix><dataset>` is created with the
 *   configured retention.
 */
export class NatsStreams {
  private readonly locating = new PromiseMemo<string, DatasetLocation>();

  constructor(
    private readonly jsm: () => JetStreamManager,
    private readonly options: ResolvedNatsOptions,
  ) {}

  /** The subject of a dataset (validated). */
  subject(dataset: string): string {
    return datasetSubject(this.options.subjectPrefix, dataset);
  }

  /** The stream holding `dataset`, created when missing. Cached; `forget` drops the cache entry. */
  locate(dataset: string): Promise<DatasetLocation> {
    return this.locating.get(dataset, () => this.findOrCreate(dataset));
  }

  /** Where `dataset` lives when a `locate` of it has completed (and was not forgotten since). */
  located(dataset: string): DatasetLocation | undefined {
    return this.locating.settled(dataset);
  }

  /**
   * The datasets `pattern` matches among the subjects JetStream holds: the streams whose subjects overlap
   * `<subjectPrefix><pattern>` (the pattern's `*` and `>` are NATS wildcards as they are), each a dataset
   * stream with its one subject, or a user stream with wildcard subjects, whose stored subjects are listed.
   */
  async datasetsMatching(pattern: DatasetPatternMatcher): Promise<string[]> {
    const prefix = this.options.subjectPrefix;
    const filter = `${prefix}${pattern.text}`;
    const jsm = this.jsm();
    const subjects = new Set<string>();
    try {
      for await (const info of jsm.streams.list(filter)) {
        const own = info.config.subjects ?? [];
        for (const subject of own) if (!/[*>]/.test(subject)) subjects.add(subject);
        if (own.some((subject) => /[*>]/.test(subject))) {
          const detail = await jsm.streams.info(info.config.name, { subjects_filter: filter });
          for (const subject of Object.keys(detail.state.subjects ?? {})) subjects.add(subject);
        }
      }
    } catch (error) {
      throw mapNatsError(error, 'admin', `stream list for pattern "${pattern.text}"`);
    }
    return [...subjects]
      .filter((subject) => subject.startsWith(prefix))
      .map((subject) => subject.slice(prefix.length))
      .filter((dataset) => pattern.matches(dataset));
  }

  /** Forgets where `dataset` lives (after its stream disappeared). */
  forget(dataset: string): void {
    this.locating.delete(dataset);
  }

  /**
   * The consumer for `spec`: a durable group reuses its consumer (resuming where it left off, whatever
   * `start` says); a new group or a private subscription gets one starting at `start`.
   */
  async openConsumer(spec: SubscriptionSpec, at: DatasetLocation): Promise<string> {
    const jsm = this.jsm();
    if (spec.group !== undefined) {
      const durable = jetStreamName('', spec.group);
      const existing = await jsm.consumers.info(at.stream, durable).catch((error: unknown) => {
        if (isConsumerNotFound(error)) return undefined;
        throw mapNatsError(error, 'admin', `consumer info of "${spec.group}"`);
      });
      if (existing) {
        await this.reconcile(at, durable, existing.config, spec);
        return durable;
      }
      if (spec.start.kind === 'none') throw new NoCommittedPositionError(spec.dataset, spec.group);
      try {
        return await this.createConsumer(spec, at, spec.start);
      } catch (error) {
        // Another member created the group at the same moment (with another start time, say): join it.
        const raced = await jsm.consumers.info(at.stream, durable).catch(() => undefined);
        if (!raced) throw error;
        return durable;
      }
    }
    if (spec.start.kind === 'none') throw new NoCommittedPositionError(spec.dataset, undefined);
    return this.createConsumer(spec, at, spec.start);
  }

  /**
   * Brings an existing group consumer in line with this member's settings:
   * - `max_ack_pending` only grows, to the largest `prefetch` of the members (a member whose prefetch
   *   exceeds it would starve: an iterator with `autoCommit: false` waits for messages the server holds
   *   back), unless `transportOptions.maxAckPending` fixes it;
   * - `ack_wait` (a channel's `sessionTimeoutMs`, else `transportOptions.ackWaitMs`) and `inactive_threshold`
   *   (`groupExpiryMs`) follow the joining member's configuration.
   * The position is never touched: the group resumes where it left off.
   */
  private async reconcile(
    at: DatasetLocation,
    durable: string,
    current: Partial<ConsumerConfig>,
    spec: SubscriptionSpec,
  ): Promise<void> {
    const patch: Partial<ConsumerConfig> = {};
    const wantedPending = this.options.maxAckPending ?? Math.max(current.max_ack_pending ?? 0, spec.prefetch);
    if (
      current.max_ack_pending !== undefined &&
      current.max_ack_pending >= 0 &&
      current.max_ack_pending !== wantedPending
    )
      patch.max_ack_pending = wantedPending;
    const ackWait = nanos(this.ackWaitMs(spec));
    if (current.ack_wait !== ackWait) patch.ack_wait = ackWait;
    if (current.inactive_threshold !== nanos(spec.groupExpiryMs))
      patch.inactive_threshold = nanos(spec.groupExpiryMs);
    if (Object.keys(patch).length === 0) return;
    try {
      await this.jsm().consumers.update(at.stream, durable, patch);
    } catch (error) {
      throw mapNatsError(error, 'admin', `updating consumer "${durable}"`);
    }
  }

  /**
   * Moves a consumer: JetStream cannot change the start of a consumer in place, so it is deleted and
   * created again (a durable group keeps its name and its other members reattach; a private subscription
   * gets a new ephemeral consumer). Returns the consumer's name.
   */
  async recreateConsumer(
    spec: SubscriptionSpec,
    at: DatasetLocation,
    name: string,
    offset: Offset,
  ): Promise<string> {
    const jsm = this.jsm();
    const refusals = new WeakSet<object>();
    // Another member may re-create it between our delete and create: delete it again, once.
    return retry(
      async () => {
        try {
          await jsm.consumers.delete(at.stream, name);
        } catch (error) {
          if (!isConsumerNotFound(error)) {
            const mapped = mapNatsError(error, 'admin', 'consumer delete');
            refusals.add(mapped);
            throw mapped;
          }
        }
        return this.createConsumer(spec, at, offset);
      },
      { attempts: 2, backoff: { initialMs: 1, maxMs: 1, jitter: 0 } },
      {
        path: 'nats.recreateConsumer',
        classify: (error, attempt) =>
          attempt >= 2 || refusals.has(error as object) ? 'permanent' : 'transient',
      },
    );
  }

  /** Deletes a consumer, ignoring "not found". */
  async deleteConsumer(at: DatasetLocation, name: string): Promise<void> {
    try {
      await this.jsm().consumers.delete(at.stream, name);
    } catch (error) {
      if (!isConsumerNotFound(error)) throw mapNatsError(error, 'admin', 'consumer delete');
    }
  }

  /** `ack_wait` of a consumer: a channel's `sessionTimeoutMs`, else `transportOptions.ackWaitMs`. */
  private ackWaitMs(spec: SubscriptionSpec): number {
    const session = spec.consumerConfig?.sessionTimeoutMs;
    return typeof session === 'number' ? session : this.options.ackWaitMs;
  }

  private async createConsumer(spec: SubscriptionSpec, at: DatasetLocation, offset: Offset): Promise<string> {
    const durable = spec.group !== undefined ? jetStreamName('', spec.group) : undefined;
    const config: Partial<ConsumerConfig> = {
      ...startConfig(offset, spec),
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(this.ackWaitMs(spec)),
      max_deliver: -1,
      max_ack_pending: durable ? (this.options.maxAckPending ?? spec.prefetch) : spec.prefetch,
      filter_subject: at.subject,
      inactive_threshold: nanos(durable ? spec.groupExpiryMs : this.options.ephemeralInactiveMs),
    };
    if (durable) config.durable_name = durable;
    const replicas = this.options.consumerReplicas;
    if (replicas !== undefined) config.num_replicas = replicas;
    try {
      const info = await this.jsm().consumers.add(at.stream, config);
      return info.name;
    } catch (error) {
      throw (
        mapReplicaRefusal(error, 'transportOptions.consumerReplicas', replicas ?? 0) ??
        mapNatsError(error, 'admin', `consumer create on "${spec.dataset}"`)
      );
    }
  }

  private async findOrCreate(dataset: string): Promise<DatasetLocation> {
    const subject = this.subject(dataset);
    const jsm = this.jsm();
    const existing = await this.find(jsm, subject);
    if (existing) return { stream: existing, subject };
    const name = jetStreamName(this.options.streamPrefix, dataset);
    const s = this.options.stream;
    try {
      await jsm.streams.add({
        name,
        subjects: [subject],
        retention: RetentionPolicy.Limits,
        storage: s.storage === 'memory' ? StorageType.Memory : StorageType.File,
        max_age: nanos(s.maxAgeMs),
        max_msgs: s.maxMessages,
        max_bytes: s.maxBytes,
        num_replicas: s.replicas,
        discard: DiscardPolicy.Old,
        duplicate_window: nanos(
          s.maxAgeMs > 0 ? Math.min(DUPLICATE_WINDOW_MS, s.maxAgeMs) : DUPLICATE_WINDOW_MS,
        ),
      });
      return { stream: name, subject };
    } catch (error) {
      // Created concurrently by another instance: use whatever now captures the subject.
      const raced = await this.find(jsm, subject).catch(() => undefined);
      if (raced) return { stream: raced, subject };
      throw (
        mapReplicaRefusal(error, 'transportOptions.stream.replicas', s.replicas) ??
        mapNatsError(error, 'admin', `stream create for "${dataset}"`)
      );
    }
  }

  private async find(jsm: JetStreamManager, subject: string): Promise<string | undefined> {
    try {
      return await jsm.streams.find(subject);
    } catch (error) {
      if ((error as Error)?.message === 'no stream matches subject') return undefined;
      throw mapNatsError(error, 'admin', 'stream lookup');
    }
  }
}

/** Deliver policy and start position of a consumer starting at `offset`. */
function startConfig(offset: Offset, spec: SubscriptionSpec): Partial<ConsumerConfig> {
  switch (offset.kind) {
    case 'begin':
      return { deliver_policy: DeliverPolicy.All };
    case 'latest':
      return { deliver_policy: DeliverPolicy.New };
    case 'sequence':
      return { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: Math.max(1, offset.sequence) };
    case 'time':
      return { deliver_policy: DeliverPolicy.StartTime, opt_start_time: offset.time.toISOString() };
    case 'none':
      throw new NoCommittedPositionError(spec.dataset, spec.group);
    default:
      return unknownOffset(offset, 'offset'); // never a consumer with the server's default (all messages)
  }
}
