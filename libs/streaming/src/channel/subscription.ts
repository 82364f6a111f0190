import { ConfigurationError, RequestTimeoutError } from '@databus/common';
import { PrefetchLimitError, SubscriptionClosedError } from '../errors';
import { DatasetMessage, MessageSettler } from '../message/dataset-message';
import { OffsetInput } from '../offset/offset';
import { ConsumerRunner } from '../runtime/consumer-runner';
import { RecordStream } from '../runtime/record-source';
import { IncomingRecord } from '../transport/transport-record.interface';

/** Options of `Subscription.wait`. @publicApi */
export interface WaitOptions {
  /** Resolve once the callback has handled this many messages in total. Absent: wait until the subscription closes. */
  messages?: number;
  /** Reject with `RequestTimeoutError` after this long. Absent: no limit. */
  timeoutMs?: number;
}

interface IteratorSettings {
  batch: number;
  maxWaitMs: number;
  prefetch: number;
  autoCommit: boolean;
  brokerNack: boolean;
}

/**
 * A live subscription to a dataset, returned by `ChannelService.subscribe`.
 * - Iterate it (`for await (const msg of sub)`) — each message counts as done when the loop asks for the
 *   next one (with `autoCommit`, the default); leaving the loop with `break` leaves the current message
 *   uncommitted, so it is delivered again (call `msg.ack()` first to avoid that).
 * - Or pass `callback` to `subscribe`: messages are handled with the handler semantics (retry, dead-letter)
 *   and `wait({ messages })` resolves after that many.
 * @publicApi
 */
export class Subscription implements AsyncIterable<DatasetMessage>, MessageSettler {
  private closedValue = false;
  private readonly abort = new AbortController();
  private readonly buffer: IncomingRecord[] = [];
  private readonly yielded = new Set<IncomingRecord>();
  private lastYielded?: IncomingRecord;
  private iterating = false;
  private readonly closeListeners = new Set<() => void>();
  private closing?: Promise<void>;

  /** @internal Built by `ChannelService.subscribe`. */
  constructor(
    readonly dataset: string,
    readonly group: string | undefined,
    private readonly source: RecordStream,
    private readonly settings: IteratorSettings,
    private readonly runner: ConsumerRunner | undefined,
    private readonly shutdownTimeoutMs: number,
    private readonly untrack: () => void,
  ) {}

  get closed(): boolean {
    return this.closedValue;
  }

  /** Messages handled by the callback so far (callback mode). */
  get handledCount(): number {
    return this.runner?.handledCount ?? 0;
  }

  [Symbol.asyncIterator](): AsyncIterator<DatasetMessage> {
    if (this.runner)
      throw new SubscriptionClosedError(
        'iterate a subscription that has a callback',
        'callback subscription',
      );
    if (this.iterating)
      throw new SubscriptionClosedError(
        'iterate the same subscription twice at once',
        'iterated subscription',
      );
    this.iterating = true;
    return {
      next: () => this.next(),
      return: async () => {
        this.iterating = false;
        return { done: true, value: undefined };
      },
    };
  }

  /**
   * Callback mode: resolves once `messages` messages have been handled (or the subscription closed);
   * rejects with `RequestTimeoutError` after `timeoutMs`, and with `ConfigurationError` (naming `callback`) on a
   * subscription opened without a callback.
   */
  wait(options: WaitOptions = {}): Promise<number> {
    const runner = this.runner;
    if (!runner)
      return Promise.reject(
        new ConfigurationError(
          'callback',
          'a function given to subscribe() to use wait() (an iterator subscription is read with for await)',
          { received: 'none' },
        ),
      );
    return new Promise<number>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (fn: () => void): void => {
        clearTimeout(timer);
        offHandled();
        this.closeListeners.delete(onClose);
        fn();
      };
      const check = (count: number): void => {
        if (options.messages !== undefined && count >= options.messages) done(() => resolve(count));
      };
      const onClose = (): void => done(() => resolve(runner.handledCount));
      const offHandled = runner.onHandled(check);
      this.closeListeners.add(onClose);
      if (options.timeoutMs !== undefined) {
        timer = setTimeout(
          () =>
            done(() =>
              reject(
                new RequestTimeoutError(
                  this.dataset,
                  options.timeoutMs as number,
                  `wait() on "${this.dataset}": ${runner.handledCount} of ${options.messages ?? 'all'} messages handled within ${options.timeoutMs} ms.`,
                ),
              ),
            ),
          options.timeoutMs,
        );
        timer.unref();
      }
      if (this.closedValue) onClose();
      else check(runner.handledCount);
    });
  }

  /**
   * Moves the subscription (its whole group) to `offset`: an `Offset`, a sequence number (`seek(5)`, as
   * `Offset.sequence(5)`) or a `Date` (as `Offset.time(date)`). Buffered, unfinished messages are dropped.
   * A value that is no position (NaN, a negative or fractional number, an invalid `Date`, a string…) rejects
   * at once with `ConfigurationError`, a position the transport cannot reach with `UnsupportedFeatureError`;
   * either way the subscription stays where it was.
   */
  async seek(offset: OffsetInput): Promise<void> {
    if (this.closedValue) throw new SubscriptionClosedError('seek');
    const option = `seek('${this.dataset}'): offset`;
    const target = this.source.seekTarget(offset, option);
    this.buffer.length = 0;
    this.yielded.clear();
    this.lastYielded = undefined;
    await this.source.seek(target, option);
  }

  /** Commits every message delivered so far (iterator mode) and waits until the broker has the position. */
  async commit(): Promise<void> {
    if (this.closedValue) throw new SubscriptionClosedError('commit');
    for (const record of [...this.yielded]) this.completeRecord(record);
    await this.source.flush();
  }

  /** Pauses fetching in callback mode; handlers in flight finish. */
  pause(): void {
    this.runner?.pause();
  }

  resume(): void {
    this.runner?.resume();
  }

  /**
   * Stops delivery: in callback mode, waits for running callbacks (up to the module's `shutdownTimeoutMs`);
   * commits finished messages; closes the broker subscription. Idempotent.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.closedValue = true;
      this.abort.abort(new Error('closed'));
      if (this.runner) await this.runner.stop(this.shutdownTimeoutMs);
      else await this.source.close();
      this.untrack();
      for (const listener of [...this.closeListeners]) listener();
    })();
    return this.closing;
  }

  /** `await using sub = await channel.subscribe(…)` (the seed's `with`): calls `close()` on leaving the block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async ack(message: DatasetMessage): Promise<void> {
    this.completeRecord(message.record);
  }

  async nack(message: DatasetMessage, delayMs: number): Promise<void> {
    this.yielded.delete(message.record);
    if (this.lastYielded === message.record) this.lastYielded = undefined;
    if (this.settings.brokerNack) return this.source.nack(message.record, delayMs);
    setTimeout(() => this.buffer.unshift(message.record), delayMs).unref();
  }

  private async next(): Promise<IteratorResult<DatasetMessage>> {
    if (this.settings.autoCommit && this.lastYielded) this.completeRecord(this.lastYielded);
    this.lastYielded = undefined;
    while (this.buffer.length === 0) {
      if (this.closedValue) return { done: true, value: undefined };
      const room = this.settings.prefetch - this.source.inFlight;
      const wanted = Math.min(this.settings.batch, Math.max(room, 0));
      if (wanted === 0) throw new PrefetchLimitError(this.dataset, this.settings.prefetch);
      const records = await this.source.fetch(wanted, this.settings.maxWaitMs, this.abort.signal);
      this.buffer.push(...records);
    }
    const record = this.buffer.shift() as IncomingRecord;
    this.yielded.add(record);
    this.lastYielded = record;
    return { done: false, value: new DatasetMessage(record, this) };
  }

  private completeRecord(record: IncomingRecord): void {
    if (!this.yielded.delete(record)) return;
    this.source.complete(record);
  }
}
