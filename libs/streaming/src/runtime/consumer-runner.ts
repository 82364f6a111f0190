import { RunnerLifecycle, settlesWithin } from '@databus/common/internal';
import { DatasetMessage, MessageSettler } from '../message/dataset-message';
import { IncomingRecord } from '../transport/transport-record.interface';
import { TransportLogger } from '../transport/transport.interface';
import { KeyedScheduler } from './keyed-scheduler';
import { MessageProcessor, ProcessOutcome } from './message-processor';
import { RecordStream } from './record-source';

/** Flow settings of a runner. */
export interface RunnerOptions {
  /** Records asked for per fetch. */
  batch: number;
  /** How long a fetch waits for the `batch`-th record. */
  maxWaitMs: number;
  /** Upper bound of delivered, unfinished records. */
  prefetch: number;
  /** Handlers running at once; records with the same key still run in order. */
  concurrency: number;
  /** Acknowledge when the handler resolves; `false` leaves it to `message.ack()`. */
  autoCommit: boolean;
  /** Whether the transport can redeliver a single message on request. */
  brokerNack: boolean;
}

/** Lifecycle state of a runner, for health and the registry. */
export type RunnerState = 'idle' | 'running' | 'paused' | 'stopping' | 'stopped' | 'failed';

/**
 * Drives one subscription for a handler or callback: fetches while there is room under `prefetch`,
 * dispatches to a keyed scheduler (concurrency with per-key order), acknowledges through the source, and
 * drains on stop. Backpressure is structural: nothing is fetched while `prefetch` records are in flight.
 */
export class ConsumerRunner extends RunnerLifecycle<RunnerState> implements MessageSettler {
  private readonly scheduler: KeyedScheduler<DatasetMessage, ProcessOutcome>;
  private readonly abort = new AbortController();
  private loop?: Promise<void>;
  private slotWaiter?: () => void;
  private resumeWaiter?: () => void;
  private handled = 0;
  private readonly handledListeners = new Set<(count: number) => void>();

  constructor(
    private readonly source: RecordStream,
    private readonly processor: MessageProcessor,
    private readonly options: RunnerOptions,
    private readonly logger: TransportLogger,
    private readonly onFailure?: (error: Error) => void,
  ) {
    super('idle');
    this.scheduler = new KeyedScheduler<DatasetMessage, ProcessOutcome>(
      options.concurrency,
      (message) => this.processor.process(message),
      (message, outcome) => this.settle(message, outcome),
    );
  }

  /** Messages whose handler finished (successfully or dead-lettered). */
  get handledCount(): number {
    return this.handled;
  }

  /** The abort signal handlers and retries observe; aborted when the runner stops. */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  onHandled(listener: (count: number) => void): () => void {
    this.handledListeners.add(listener);
    return () => this.handledListeners.delete(listener);
  }

  start(): void {
    if (this.loop) return;
    this.current = 'running';
    this.loop = this.run();
  }

  /** Stops fetching; in-flight handlers go on. */
  pause(): void {
    if (this.current === 'running') this.current = 'paused';
  }

  resume(): void {
    if (this.current !== 'paused') return;
    this.current = 'running';
    this.resumeWaiter?.();
  }

  /**
   * Stops fetching, waits for in-flight handlers up to `timeoutMs`, then closes the source (which commits
   * what finished). Handlers still running after the timeout are abandoned: their messages are not
   * acknowledged and will be delivered again.
   */
  async stop(timeoutMs: number): Promise<void> {
    if (this.current === 'stopped') return;
    if (this.current !== 'failed') this.current = 'stopping';
    this.abort.abort(new Error('stopping'));
    this.slotWaiter?.();
    this.resumeWaiter?.();
    await this.loop;
    const drained = await settlesWithin(this.scheduler.idle(), timeoutMs);
    if (!drained)
      this.logger.warn(
        `Shutdown timeout (${timeoutMs} ms): ${this.scheduler.pending} message(s) still in progress will be delivered again`,
      );
    await this.source
      .close()
      .catch((error) => this.logger.warn(`Closing a subscription failed: ${(error as Error)?.message}`));
    if (this.current !== 'failed') this.current = 'stopped';
  }

  async ack(message: DatasetMessage): Promise<void> {
    this.source.complete(message.record);
    this.freeSlot();
  }

  async nack(message: DatasetMessage, delayMs: number): Promise<void> {
    if (this.options.brokerNack) {
      await this.source.nack(message.record, delayMs);
      this.freeSlot();
      return;
    }
    // Position-based transports cannot redeliver one message: run it again here, keeping its slot.
    setTimeout(() => this.dispatch(message.record), delayMs).unref();
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    try {
      while (!signal.aborted) {
        if (this.current === 'paused') {
          await new Promise<void>((resolve) => (this.resumeWaiter = resolve));
          continue;
        }
        const room = this.options.prefetch - this.source.inFlight;
        if (room <= 0) {
          await new Promise<void>((resolve) => (this.slotWaiter = resolve));
          continue;
        }
        const records = await this.source.fetch(
          Math.min(this.options.batch, room),
          this.options.maxWaitMs,
          signal,
        );
        for (const record of records) this.dispatch(record);
      }
    } catch (error) {
      this.lastError = error as Error;
      this.current = 'failed';
      this.logger.error(`Consumer stopped: ${(error as Error)?.message}`);
      this.onFailure?.(error as Error);
    }
  }

  /** Schedules one record; its handler runs synchronously when it is (no promise per message then). */
  private dispatch(record: IncomingRecord): void {
    // One at a time, the scheduler keeps every key's order without the key: it is not read then (a transport
    // may build it on first read).
    const key = this.options.concurrency > 1 ? record.key : undefined;
    this.scheduler.submit(key, new DatasetMessage(record, this));
  }

  private settle(message: DatasetMessage, outcome: ProcessOutcome): void {
    if (outcome === 'abandoned') {
      this.source.release(message.record);
      this.freeSlot();
      return;
    }
    this.handled++;
    if (this.handledListeners.size > 0) for (const listener of this.handledListeners) listener(this.handled);
    if (this.options.autoCommit && !message.isSettled) {
      // Same as message.ack(), without its promise: this runs for every message.
      message.markSettled();
      this.source.complete(message.record);
      this.freeSlot();
    }
  }

  private freeSlot(): void {
    const waiter = this.slotWaiter;
    this.slotWaiter = undefined;
    waiter?.();
  }
}
