import {
  ConsumerError,
  describeAttempt,
  retry,
  sleep,
  TemporaryError,
  UnsupportedFeatureError,
} from '@databus/common';
import { SubscriptionClosedError } from '../../errors';
import { IncomingRecord } from '../../transport/transport-record.interface';
import { TransportLogger, TransportSubscription } from '../../transport/transport.interface';
import { RestConsumer } from './rest-consumer';
import { WirePosition } from './rest-wire';

/** What a subscription needs from its transport. */
export interface RestSubscriptionContext {
  prefetch: number;
  pollIntervalMs: number;
  logger: TransportLogger;
  /** Told after every poll: `undefined` when it reached the service, else the temporary failure. */
  onPoll(error?: Error): void;
  onClose(subscription: RestSubscription): void;
}

const key = (record: IncomingRecord): string => `${record.partition}:${record.sequence}`;

/**
 * One consumer of the service behind one subscription. The service has no long poll and may answer the
 * same uncommitted records on every poll (the seed's fake does), so the subscription:
 * - polls at most once per `pollIntervalMs` while polls come back empty, and not at all while `prefetch`
 *   records are delivered and unacknowledged (backpressure reaches the service);
 * - keeps one poll's records it cannot hand out yet, and never hands out a record that is buffered, in
 *   flight or being committed (a record comes again only if its commit failed);
 * - keeps polling through temporary failures (reported to the transport's status); a 404 (the consumer is
 *   gone) rejects the fetch with `ConsumerError`, and the runtime subscribes again with a new consumer.
 */
export class RestSubscription implements TransportSubscription {
  private buffer: IncomingRecord[] = [];
  private readonly held = new Set<string>();
  private readonly inFlight = new Set<string>();
  private lastEmptyPollAt = Number.NEGATIVE_INFINITY;
  private closed = false;
  private readonly closing = new AbortController();
  private wake?: () => void;

  constructor(
    private readonly consumer: RestConsumer,
    private readonly context: RestSubscriptionContext,
  ) {}

  async fetch(max: number, maxWaitMs: number, signal?: AbortSignal): Promise<IncomingRecord[]> {
    if (this.closed) throw new SubscriptionClosedError('fetch');
    const deadline = Date.now() + maxWaitMs;
    for (;;) {
      const out = this.take(max);
      if (out.length > 0 || this.closed || signal?.aborted) return out;
      const now = Date.now();
      const room = this.context.prefetch - this.inFlight.size;
      const pollAt = this.lastEmptyPollAt + this.context.pollIntervalMs;
      if (room > 0 && now >= pollAt) {
        if ((await this.poll(signal)) === 0) this.lastEmptyPollAt = Date.now();
        continue;
      }
      if (now >= deadline) return [];
      await this.pause(Math.min(deadline, room > 0 ? pollAt : deadline) - now, signal);
    }
  }

  async ack(records: readonly IncomingRecord[]): Promise<void> {
    if (this.closed || records.length === 0) return;
    const positions: WirePosition[] = [];
    for (const record of records) {
      this.inFlight.delete(key(record));
      positions.push(record.token as WirePosition);
    }
    this.wake?.();
    try {
      await retry(
        () => this.consumer.commit(positions),
        { attempts: 3, backoff: { initialMs: 100, maxMs: 1_000 } },
        {
          classify: (error) =>
            error instanceof TemporaryError && !(error instanceof ConsumerError) ? 'transient' : 'permanent',
          onAttempt: (report) =>
            this.context.logger.warn(
              describeAttempt(`Committing offsets of "${this.consumer.dataset}"`, report),
            ),
          signal: this.closing.signal,
        },
      );
    } finally {
      for (const record of records) this.held.delete(key(record));
    }
  }

  async nack(): Promise<void> {
    // capabilities.nack is false: the runtime retries in process and never calls this.
  }

  async seek(): Promise<void> {
    throw new UnsupportedFeatureError(
      'rest',
      'seek',
      'the streaming service has no seek; a group resumes from its committed offsets',
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.closing.abort(new SubscriptionClosedError('fetch'));
    this.wake?.();
    this.buffer = [];
    try {
      await this.consumer.delete();
    } catch (error) {
      this.context.logger.warn(
        `Could not delete the consumer of "${this.consumer.dataset}": ${(error as Error).message}`,
      );
    } finally {
      this.context.onClose(this);
    }
  }

  /** Hands out buffered records, within `max` and the prefetch room. */
  private take(max: number): IncomingRecord[] {
    const room = Math.min(max, this.context.prefetch - this.inFlight.size);
    if (room <= 0 || this.buffer.length === 0) return [];
    const out = this.buffer.splice(0, room);
    for (const record of out) this.inFlight.add(key(record));
    return out;
  }

  /** One poll; resolves with the number of new records buffered. */
  private async poll(signal?: AbortSignal): Promise<number> {
    let records: IncomingRecord[];
    try {
      const abort = signal ? AbortSignal.any([signal, this.closing.signal]) : this.closing.signal;
      records = await this.consumer.records(abort);
      this.context.onPoll();
    } catch (error) {
      if (this.closed || signal?.aborted) return 0;
      if (!(error instanceof TemporaryError) || error instanceof ConsumerError) throw error;
      this.context.logger.warn(`${error.message} Polling again in ${this.context.pollIntervalMs} ms.`);
      this.context.onPoll(error);
      return 0;
    }
    let fresh = 0;
    for (const record of records) {
      const id = key(record);
      if (this.held.has(id)) continue;
      this.held.add(id);
      this.buffer.push(record);
      fresh++;
    }
    return fresh;
  }

  /** Waits `ms`, or less when an ack makes room, the caller aborts or the subscription closes. */
  private async pause(ms: number, signal?: AbortSignal): Promise<void> {
    const woken = new AbortController();
    this.wake = () => woken.abort();
    const signals = [woken.signal, this.closing.signal, ...(signal ? [signal] : [])];
    await sleep(Math.max(0, ms), AbortSignal.any(signals)).catch(() => undefined);
    this.wake = undefined;
  }
}
