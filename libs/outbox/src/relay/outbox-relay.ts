import { isPermanentFailure, redactText, retry } from '@databus/common';
import { errorMessage, settlesWithin } from '@databus/common/internal';
import type { LoggerService } from '@nestjs/common';
import type { OutboxPool, OutboxPoolClient } from '../sql/outbox-pool';
import type { ResolvedRelayOptions } from '../options/resolve-outbox-options';
import type { TableNames } from '../sql/table-names';
import { OutboxRow, toOutboxRow } from '../outbox/outbox-row';
import { relayStatements } from './claim.sql';
import { OutboxListener } from './outbox-listener';
import type { OutboxPublisher } from './outbox-publisher';

/** What one relay round did. */
export interface RelayRound {
  /** Rows published and deleted. */
  published: number;
  /** Rows whose publish failed; they stay, with `last_error` (and `attempts` when refused permanently) updated. */
  failed: number;
  /** Rows moved to `databus_outbox_dead` after `maxAttempts` permanent refusals (one ERROR logged each). */
  deadLettered: number;
  /** Rows claimed but left for a later round (an earlier row of their key was held by another relay). */
  deferred: number;
  /** Whether the claim was full (more rows are probably waiting). */
  full: boolean;
}

/** What publishing one destination's rows came to. */
interface GroupOutcome {
  published: OutboxRow[];
  /** Rows the broker refused permanently, with why. */
  refused: { row: OutboxRow; reason: unknown }[];
  /** The transient failure that ended the pass, and the rows it left unsent (from the failing one on). */
  transient?: unknown;
  left: OutboxRow[];
  /** Rows not sent because an earlier row of their key was refused. */
  held: number;
}

/**
 * Publishes committed outbox rows and deletes them once the broker acknowledged them, in rounds: claim a
 * batch (one transaction, rows locked), publish each destination's rows in id order, delete the published
 * rows, commit. A crash between the broker's ack and the commit publishes those rows once more on the next
 * round (of this or another instance); nothing is lost. Rounds run when a `LISTEN` notification says a
 * transaction committed rows, at the latest every `pollIntervalMs`, and back to back while batches are full.
 * A failing round (database or broker down) is retried with backoff through `retry()`.
 *
 * When a destination's batch fails, its rows are published one at a time in id order, so the failure is
 * pinned on the row that causes it. A permanent refusal (`isPermanentFailure`: payload too large, dataset
 * refused) counts in the row's `attempts`; the later rows of its key wait (per-key order), the other rows go
 * on; after `maxAttempts` refusals the row moves to `databus_outbox_dead` with one ERROR, and its key goes on.
 * A transient failure (broker unreachable, timeout) says nothing about the row: it stops that destination's
 * round, counts nothing, and is retried without limit.
 */
export class OutboxRelay {
  private readonly sql: ReturnType<typeof relayStatements>;
  private readonly abort = new AbortController();
  private readonly listener?: OutboxListener;
  private wakeUp?: () => void;
  private pending = false;
  private loop?: Promise<void>;

  constructor(
    private readonly pool: OutboxPool,
    tables: TableNames,
    private readonly options: ResolvedRelayOptions,
    private readonly publisher: OutboxPublisher,
    private readonly logger?: LoggerService,
  ) {
    this.sql = relayStatements(tables.outbox, tables.dead);
    if (options.listen)
      this.listener = new OutboxListener(pool, tables.schema, () => this.wake(), options.backoff, logger);
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
    if (this.loop) await settlesWithin(this.loop, this.options.shutdownTimeoutMs);
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

  private async round(client: OutboxPoolClient): Promise<RelayRound & { error?: unknown }> {
    const { rows } = await client.query(this.sql.claim, [this.options.batchSize]);
    const claimed = rows.map(toOutboxRow);
    const groups = new Map<string, OutboxRow[]>();
    for (const row of claimed) {
      const name = `${row.kind}\u001f${row.destination}`;
      const group = groups.get(name);
      if (group) group.push(row);
      else groups.set(name, [row]);
    }
    const outcomes = await Promise.all(
      [...groups.values()].map((group) =>
        this.publisher.publish(group[0].kind, group[0].destination, group).then(
          (): GroupOutcome => ({ published: [...group], refused: [], left: [], held: 0 }),
          () => this.oneByOne(group),
        ),
      ),
    );
    const published = outcomes.flatMap((o) => o.published.map((r) => r.id));
    if (published.length) await client.query(this.sql.remove, [published]);
    let error: unknown;
    let failed = 0;
    let deadLettered = 0;
    for (const outcome of outcomes) {
      for (const { row, reason } of outcome.refused) {
        const message = redactText(errorMessage(reason)).slice(0, 2000);
        if (row.attempts + 1 < this.options.maxAttempts) {
          await client.query(this.sql.refuse, [row.id, message]);
          failed += 1;
          error ??= reason;
          continue;
        }
        await client.query(this.sql.bury, [row.id, message]);
        deadLettered += 1;
        this.logger?.error?.(
          `Outbox row ${row.id} (message id ${row.messageId}, ${row.kind} "${row.destination}"${row.key === null ? '' : `, key "${row.key}"`}) refused ${row.attempts + 1} times, moved to databus_outbox_dead; later rows go on: ${message}`,
        );
      }
      if (outcome.transient !== undefined && outcome.left.length) {
        failed += outcome.left.length;
        error ??= outcome.transient;
        const message = redactText(errorMessage(outcome.transient)).slice(0, 2000);
        await client.query(this.sql.note, [outcome.left.map((r) => r.id), message]);
      }
    }
    const claimedCount = Number(rows[0]?.claimed_count ?? 0);
    return {
      published: published.length,
      failed,
      deadLettered,
      deferred: claimedCount - claimed.length + outcomes.reduce((n, o) => n + o.held, 0),
      full: claimedCount >= this.options.batchSize,
      error,
    };
  }

  /**
   * After a destination's batch failed: its rows one at a time in id order. A row refused permanently holds
   * the later rows of its key back (they are not sent this round); a transient failure ends the pass.
   */
  private async oneByOne(group: readonly OutboxRow[]): Promise<GroupOutcome> {
    const outcome: GroupOutcome = { published: [], refused: [], left: [], held: 0 };
    const held = new Set<string>();
    for (const [i, row] of group.entries()) {
      if (row.key !== null && held.has(row.key)) {
        outcome.held += 1;
        continue;
      }
      try {
        await this.publisher.publish(row.kind, row.destination, [row]);
        outcome.published.push(row);
      } catch (reason) {
        if (!isPermanentFailure(reason)) {
          outcome.transient = reason;
          outcome.left = group.slice(i);
          return outcome;
        }
        outcome.refused.push({ row, reason });
        if (row.key !== null) held.add(row.key);
      }
    }
    return outcome;
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
