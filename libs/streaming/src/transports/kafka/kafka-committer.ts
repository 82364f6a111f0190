import { isRetriable } from '@databus/common';
import { TransportLogger } from '../../transport/transport.interface';

/** Offsets to commit: partition → the next record to read. */
type CommitSink = (offsets: ReadonlyArray<{ partition: number; offset: number }>) => Promise<void>;

/**
 * The planned commits of one subscription, sent one call at a time so that commits never overtake each
 * other (an older watermark landing after a newer one would move the group backwards). A commit refused
 * with a retriable error (a rebalance) is kept for the next `flush`, unless superseded meanwhile or its
 * partition was revoked.
 */
export class KafkaCommitter {
  private readonly pending = new Map<number, number>();
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly sink: CommitSink,
    private readonly holds: (partition: number) => boolean,
    private readonly logger: TransportLogger,
    private readonly dataset: string,
  ) {}

  /** Plans `offset` (the next record to read) for `partition`, replacing what was planned (start, seek). */
  set(partition: number, offset: number): void {
    this.pending.set(partition, offset);
  }

  /** Plans `offset` for `partition` unless a higher one is already planned (acknowledged watermarks). */
  raise(partition: number, offset: number): void {
    if (offset > (this.pending.get(partition) ?? -1)) this.pending.set(partition, offset);
  }

  /** Drops what is planned for a revoked partition. */
  forget(partition: number): void {
    this.pending.delete(partition);
  }

  /** Drops everything planned (a seek replaces it). */
  clear(): void {
    this.pending.clear();
  }

  /** Commits what is planned, after any commit in progress. */
  flush(): Promise<void> {
    const run = this.chain.catch(() => undefined).then(() => this.commitPending());
    this.chain = run;
    return run;
  }

  /** `flush` whose failure is only logged. */
  flushInBackground(): void {
    this.flush().catch((error) =>
      this.logger.warn(`Commit on "${this.dataset}" failed: ${(error as Error).message}`),
    );
  }

  private async commitPending(): Promise<void> {
    if (this.pending.size === 0) return;
    const offsets = [...this.pending].map(([partition, offset]) => ({ partition, offset }));
    this.pending.clear();
    try {
      await this.sink(offsets);
    } catch (error) {
      for (const o of offsets)
        if (this.holds(o.partition) && !this.pending.has(o.partition))
          this.pending.set(o.partition, o.offset);
      if (!isRetriable(error)) throw error;
      this.logger.debug(
        `Commit on "${this.dataset}" deferred (${(error as Error).message}); it is retried with the next acknowledgement or after the rebalance`,
      );
    }
  }
}
