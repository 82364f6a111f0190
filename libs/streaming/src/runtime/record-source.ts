import {
  isRetriable,
  ResolvedBackoff,
  retry,
  RetryAttemptReport,
  UnsupportedFeatureError,
} from '@databus/common';
import { errorMessage } from '@databus/common/internal';
import { SubscriptionClosedError } from '../errors';
import { describeOffset, Offset, toOffset } from '../offset/offset';
import { assertOffsetSupported } from '../transport/transport-capabilities';
import { IncomingRecord } from '../transport/transport-record.interface';
import {
  StreamingTransport,
  SubscriptionSpec,
  TransportLogger,
  TransportSubscription,
} from '../transport/transport.interface';
import { AckTracker } from './ack-tracker';
import { ResumePoint } from './resume-point';

/** How a `RecordSource` behaves when its subscription fails. */
export interface RecordSourceOptions {
  /** Re-subscribe after temporary errors (from the committed position). `false` surfaces them. */
  retryOnFail: boolean;
  reconnect: ResolvedBackoff;
  logger: TransportLogger;
  /** Told before each re-subscribe wait, for events and metrics. */
  onRecover?: (attempt: number, delayMs: number, error: Error) => void;
}

/**
 * What consumers (runners, iterators) read from: one supervised subscription (`RecordSource`) or several
 * merged into one (`MergedRecordSource`, a dataset pattern).
 */
export interface RecordStream {
  readonly inFlight: number;
  readonly resumedAt: number | undefined;
  readonly isClosed: boolean;
  open(): Promise<void>;
  fetch(max: number, maxWaitMs: number, signal?: AbortSignal): Promise<IncomingRecord[]>;
  complete(record: IncomingRecord): void;
  release(record: IncomingRecord): void;
  nack(record: IncomingRecord, delayMs: number): Promise<void>;
  flush(): Promise<void>;
  seekTarget(value: unknown, option: string): Offset;
  seek(value: unknown, option?: string): Promise<void>;
  close(): Promise<void>;
}

/** `RecordStream.seekTarget` for a subscription on `transport` (see `RecordSource.seekTarget`). */
export function seekTargetOn(
  { name, capabilities }: Pick<StreamingTransport, 'name' | 'capabilities'>,
  value: unknown,
  option: string,
): Offset {
  const offset = toOffset(value, option, null);
  if (!capabilities.seek)
    throw new UnsupportedFeatureError(name, 'seek', `${option} asks for ${describeOffset(offset)}`);
  assertOffsetSupported(name, capabilities, offset, option);
  return offset;
}

/** One transport subscription with the records it delivered. Replaced whole after a failure. */
interface Lease {
  sub: TransportSubscription;
  tracker: AckTracker;
}

/**
 * A supervised transport subscription, shared by handler runners, callback subscriptions and iterators:
 * - fetches records and tracks them until they are finished;
 * - acknowledges finished records in coalesced calls (the watermark only, on position-based transports);
 * - on a temporary failure, re-subscribes with backoff and resumes from the committed position (records
 *   of the lost subscription are never acknowledged: the broker delivers them again); a private
 *   subscription resumes where the lost one was (see `ResumePoint`);
 * - on close, flushes pending acknowledgements, then closes the subscription.
 */
export class RecordSource implements RecordStream {
  private lease?: Lease;
  private flushing?: Promise<void>;
  private readonly runFlush = (): Promise<void> => this.flushLoop();
  /** Acknowledgements sent and not resolved yet (`pipelinedAcks`: several at once). */
  private readonly acking = new Set<Promise<void>>();
  private closed = false;
  /** Aborted by close(), so a re-subscribe backoff never outlives the subscription. */
  private readonly closeSignal = new AbortController();
  private readonly resume: ResumePoint;
  /** The spec of the next subscribe: the user's, or a private subscription's resume point. */
  private nextSpec: SubscriptionSpec;

  constructor(
    private readonly transport: StreamingTransport,
    private readonly spec: SubscriptionSpec,
    private readonly options: RecordSourceOptions,
  ) {
    this.resume = new ResumePoint(spec, transport.capabilities);
    this.nextSpec = spec;
  }

  /** Delivered records not yet finished or released. */
  get inFlight(): number {
    return this.lease?.tracker.size ?? 0;
  }

  /** Where the current subscription's durable group resumed, when the transport tells (see `TransportSubscription`). */
  get resumedAt(): number | undefined {
    return this.lease?.sub.resumedAt;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Subscribes; errors here (unsupported offset, no committed position, refused) reach the caller. */
  async open(): Promise<void> {
    this.lease = await this.newLease();
  }

  /**
   * Up to `max` records (see `TransportSubscription.fetch`). Temporary failures are retried with backoff
   * when `retryOnFail` is on; an abort resolves with no records.
   */
  async fetch(max: number, maxWaitMs: number, signal?: AbortSignal): Promise<IncomingRecord[]> {
    if (this.closed) throw new SubscriptionClosedError('fetch');
    if (signal?.aborted) return [];
    try {
      return await this.fetchOnce(max, maxWaitMs, signal); // the hot path: no retry state until a failure
    } catch (error) {
      if (!this.retriable(error)) throw error;
      return this.recover(error, max, maxWaitMs, signal);
    }
  }

  /**
   * After a failed fetch: the retry policy re-subscribes with backoff (one WARN line per failed attempt)
   * until a fetch succeeds, a permanent error comes, or the subscription (or `signal`) is closed.
   */
  private async recover(
    first: unknown,
    max: number,
    maxWaitMs: number,
    signal?: AbortSignal,
  ): Promise<IncomingRecord[]> {
    const wait = signal ? AbortSignal.any([signal, this.closeSignal.signal]) : this.closeSignal.signal;
    try {
      return await retry(
        () => this.fetchOnce(max, maxWaitMs, signal),
        { attempts: Infinity, backoff: this.options.reconnect },
        {
          firstFailure: { error: first },
          signal: wait,
          classify: (error) => (this.retriable(error) ? 'transient' : 'permanent'),
          onAttempt: (report) => this.reportFailure(report),
        },
      );
    } catch (error) {
      if (!wait.aborted) throw error;
      // Aborted during a re-subscribe wait: closing ends the fetch like closing before it did.
      if (this.closed) throw new SubscriptionClosedError('fetch');
      return [];
    }
  }

  private retriable(error: unknown): boolean {
    return this.options.retryOnFail && isRetriable(error);
  }

  /** One fetch on the current subscription (subscribing first when the last one was lost). */
  private async fetchOnce(max: number, maxWaitMs: number, signal?: AbortSignal): Promise<IncomingRecord[]> {
    if (this.closed) throw new SubscriptionClosedError('fetch');
    let lease = this.lease;
    try {
      if (!lease) lease = this.lease = await this.newLease();
      const records = await lease.sub.fetch(max, maxWaitMs, signal);
      if (lease !== this.lease || this.closed) return []; // replaced or closed while fetching
      lease.tracker.track(records);
      this.resume.delivered(records);
      return records;
    } catch (error) {
      if (this.closed || signal?.aborted) return [];
      if (this.retriable(error)) await this.dropLease(lease);
      throw error;
    }
  }

  /**
   * Marks `record` finished: it will be acknowledged (with its predecessors, on position transports). The
   * records finished in one tick leave in one acknowledgement call, sent a microtask later; while a call is
   * in flight the next ones wait and leave together after it, unless the transport takes overlapping calls
   * (`capabilities.pipelinedAcks`).
   */
  complete(record: IncomingRecord): void {
    // A record of a lost or seeked-away subscription is not in the current tracker: never acknowledged.
    if (this.lease?.tracker.complete(record) && !this.flushing)
      this.flushing = Promise.resolve().then(this.runFlush);
  }

  /** Gives `record` back unacknowledged (abandoned at shutdown): the broker delivers it again later. */
  release(record: IncomingRecord): void {
    this.lease?.tracker.release(record);
  }

  /** Asks the broker for another delivery of `record` after `delayMs`. */
  async nack(record: IncomingRecord, delayMs: number): Promise<void> {
    const lease = this.lease;
    if (!lease || !lease.tracker.has(record)) return;
    lease.tracker.release(record);
    await lease.sub.nack(record, delayMs);
  }

  /** Waits until every acknowledgement queued so far has been sent (and resolved). */
  async flush(): Promise<void> {
    while (this.flushing || this.acking.size > 0) await (this.flushing ?? Promise.all([...this.acking]));
  }

  /**
   * What a `seek` to `value` moves to: `value` normalised (a sequence number, a `Date`, an `Offset`; see
   * `toOffset`) and checked against the transport's capabilities. Throws at once, before anything moves:
   * `ConfigurationError` naming `option` for a value that is no position, `UnsupportedFeatureError` where the
   * transport cannot seek or has no positions of that kind.
   */
  seekTarget(value: unknown, option: string): Offset {
    return seekTargetOn(this.transport, value, option);
  }

  /** Moves the position; records delivered before the seek are dropped and never acknowledged. */
  async seek(value: unknown, option = `seek('${this.spec.dataset}'): offset`): Promise<void> {
    if (this.closed) throw new SubscriptionClosedError('seek');
    const offset = this.seekTarget(value, option);
    await this.flush();
    const lease = this.lease ?? (this.lease = await this.newLease());
    await lease.sub.seek(offset);
    this.lease = { sub: lease.sub, tracker: new AckTracker(this.transport.capabilities.ackMode) };
    this.resume.seeked(offset);
  }

  /** Flushes acknowledgements, then closes the subscription. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    this.closeSignal.abort(new Error('closed'));
    const lease = this.lease;
    this.lease = undefined;
    await lease?.sub.close();
  }

  private async newLease(): Promise<Lease> {
    const sub = await this.transport.subscribe(this.nextSpec);
    return { sub, tracker: new AckTracker(this.transport.capabilities.ackMode) };
  }

  /** Forgets a failed subscription: its records are never acknowledged, the broker delivers them again. */
  private async dropLease(failed: Lease | undefined): Promise<void> {
    if (!failed || this.lease !== failed) return;
    this.lease = undefined;
    this.nextSpec = this.resume.resumeSpec(failed.tracker.oldestUnfinished());
    await failed.sub.close().catch(() => undefined);
  }

  /** One WARN line (and one `onRecover` call) per failed fetch that is retried. */
  private reportFailure(report: RetryAttemptReport): void {
    if (report.outcome !== 'retry' || report.nextDelayMs === undefined) return;
    const error = report.error instanceof Error ? report.error : new Error(String(report.error));
    this.options.onRecover?.(report.attempt, report.nextDelayMs, error);
    this.options.logger.warn(
      `Subscription to "${this.spec.dataset}"${this.spec.group ? ` (group "${this.spec.group}")` : ''} failed (${errorMessage(report.error)}); re-subscribing in ${report.nextDelayMs} ms`,
    );
  }

  private async flushLoop(): Promise<void> {
    try {
      for (;;) {
        const lease = this.lease;
        const records = lease?.tracker.drain();
        if (!lease || !records?.length) return;
        const sent = this.acknowledge(lease.sub, records);
        if (!this.transport.capabilities.pipelinedAcks) {
          await sent;
          continue;
        }
        // The transport orders overlapping calls itself: do not hold this tick's records back behind the last.
        this.acking.add(sent);
        void sent.then(() => this.acking.delete(sent));
        return;
      }
    } finally {
      this.flushing = undefined;
    }
  }

  /**
   * One acknowledgement call; a failure is logged (the broker delivers those records again). Not an async
   * function: while the call is pending (a commit the broker confirms later), nothing here keeps `records`
   * alive, so a transport that no longer needs them lets them die young.
   */
  private acknowledge(sub: TransportSubscription, records: IncomingRecord[]): Promise<void> {
    const count = records.length;
    let sent: Promise<void>;
    try {
      sent = sub.ack(records);
    } catch (error) {
      sent = Promise.reject(error);
    }
    return sent.catch((error: unknown) =>
      // The broker will deliver these again: at-least-once, never lost.
      this.options.logger.warn(
        `Could not acknowledge ${count} message(s) of "${this.spec.dataset}": ${(error as Error)?.message}`,
      ),
    );
  }
}
