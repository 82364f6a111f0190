import { redactText, retry } from '@databus/common';
import { errorMessage } from '@databus/common/internal';
import type { LoggerService } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import type { ResolvedRelayOptions } from '../options/resolve-outbox-options';
import { OutboxRow, toOutboxRow } from '../outbox/outbox-row';
import { relayStatements } from './claim.sql';
import { OutboxListener } from './outbox-listener';
import type { OutboxPublisher } from './outbox-publisher';

/** What one relay round did. */
export interface RelayRound {
  /** Rows published and deleted. */
  published: number;
  /** Rows whose publish failed; they stay, with `attempts` and `last_error` updated. */
  failed: number;
  /** Rows claimed but left for a later round (an earlier row of their key was held by another relay). */
  deferred: number;
  /** Whether the claim was full (more rows are probably waiting). */
  full: boolean;
}

/**
 * Publishes committed outbox rows and deletes them once the broker acknowledged them, in rounds: claim a
 * batch (one transaction, rows locked), publish each destination's rows in id order, delete the published
 * rows, commit. A crash between the broker's ack and the commit publishes those rows once more on the next
 * round (of this or another instance); nothing is lost. Rounds run when a `LISTEN` notification says a
 * transaction committed rows, at the latest every `pollIntervalMs`, and back to back while batches are full.
 * A failing round (database or broker down) is retried with backoff through `retry()`.
 */
export class OutboxRelay {
  private readonly sql: ReturnType<typeof relayStatements>;
  private readonly abort = new AbortController();
  private readonly listener?: OutboxListener;
  private wakeUp?: () => void;
  private pending = false;
  private loop?: Promise<void>;

  constructor(
    private readonly pool: Pool,
    table: string,
    private readonly schema: string,
    private readonly options: ResolvedRelayOptions,
    private readonly publisher: OutboxPublisher,
    private readonly logger?: LoggerService,
  ) {
    this.sql = relayStatements(table);
    if (options.listen)
      this.listener = new OutboxListener(pool, schema, () => this.wake(), options.backoff, logger);
  }

  /** Starts listening and the round loop (idempotent). */
  start(): void {
    if (this.loop) return;
    this.listener?.start();
    this.loop = this.run();
  }

  /** Asks for a round now (e.g. right after the application committed rows). */
  wake(): void {
    this.pending = true;
    this.wakeUp?.();
  }

  /**
   * Stops: no new round starts; the round in flight may finish within `shutdownTimeoutMs` (its rows are
   * published again later otherwise). Resolves once stopped or the timeout passed.
   */
  async stop(): Promise<void> {
    if (this.abort.signal.aborted) return;
    this.abort.abort(new Error('outbox relay stopped'));
    this.wakeUp?.();
    const loop = this.loop ?? Promise.resolve();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      loop,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.options.shutdownTimeoutMs);
        timer.unref();
      }),
    ]);
    clearTimeout(timer);
    await this.listener?.stop();
  }

  /** One round: claims, publishes and deletes up to `batchSize` rows. Throws when the database fails. */
  async runOnce(): Promise<RelayRound> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    let round: RelayRound & { error?: unknown };
    try {
      await client.query('BEGIN');
      try {
        round = await this.round(client);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch((e: Error) => (broken = e));
        throw error;
      }
    } finally {
      client.release(broken);
    }
    // The deletions of the destinations that worked and the failure counts are committed; now retry.
    if (round.error !== undefined) throw round.error;
    return round;
  }

  private async round(client: PoolClient): Promise<RelayRound & { error?: unknown }> {
    const { rows } = await client.query(this.sql.claim, [this.options.batchSize]);
    const claimed = rows.map(toOutboxRow);
    const groups = new Map<string, OutboxRow[]>();
    for (const row of claimed) {
      const name = `${row.kind}\u001f${row.destination}`;
      const group = groups.get(name);
      if (group) group.push(row);
      else groups.set(name, [row]);
    }
    const list = [...groups.values()];
    const outcomes = await Promise.allSettled(
      list.map((group) => this.publisher.publish(group[0].kind, group[0].destination, group)),
    );
    const published: string[] = [];
    const failed: string[] = [];
    let error: unknown;
    list.forEach((group, i) => {
      const outcome = outcomes[i];
      if (outcome.status === 'fulfilled') published.push(...group.map((r) => r.id));
      else {
        failed.push(...group.map((r) => r.id));
        error ??= outcome.reason;
      }
    });
    if (published.length) await client.query(this.sql.remove, [published]);
    if (failed.length)
      await client.query(this.sql.fail, [failed, redactText(errorMessage(error)).slice(0, 2000)]);
    const claimedCount = Number(rows[0]?.claimed_count ?? 0);
    return {
      published: published.length,
      failed: failed.length,
      deferred: claimedCount - claimed.length,
      full: claimedCount >= this.options.batchSize,
      error,
    };
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      this.pending = false;
      let full = false;
      try {
        full = (
          await retry(
            () => this.runOnce(),
            {
              attempts: Infinity,
              backoff: this.options.backoff,
            },
            {
              classify: () => 'transient',
              signal,
              onAttempt: (report) =>
                this.logger?.warn?.(
                  `Outbox relay round failed (attempt ${report.attempt}, next in ${report.nextDelayMs ?? '-'} ms): ${redactText(errorMessage(report.error))}`,
                ),
            },
          )
        ).full;
      } catch {
        return; // aborted
      }
      if (full || this.pending) continue;
      await this.idle(signal);
    }
  }

  /** Waits for a notification, a `wake()`, the poll interval or the stop. */
  private async idle(signal: AbortSignal): Promise<void> {
    if (this.pending || signal.aborted) return;
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.wakeUp = resolve;
      timer = setTimeout(resolve, this.options.pollIntervalMs);
    });
    clearTimeout(timer);
    this.wakeUp = undefined;
  }
}
