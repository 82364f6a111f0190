import { randomUUID } from 'node:crypto';
import { assertNonEmptyString, ConfigurationError } from '@databus/common';
import { Inject, Injectable } from '@nestjs/common';
import { MESSAGE_ID_HEADER, OUTBOX_OPTIONS } from '../outbox.constants';
import type { ResolvedOutboxOptions } from '../options/resolve-outbox-options';
import { sqlExecutorFor } from '../sql/sql-executor';
import { encodeOutboxPayload } from './payload';

/** Options of `OutboxService.produce`: those of `ChannelService.produce`, plus the message id. @publicApi */
export interface OutboxProduceOptions {
  /** Ordering key: rows with the same key are published in commit order. */
  key?: string;
  headers?: Record<string, string>;
  /** The message id (header `x-databus-message-id`), which idempotent handlers deduplicate on. @default a random UUID */
  messageId?: string;
}

/** Options of `OutboxService.enqueue`: those of `TaskQueue.enqueue` that survive a restart. @publicApi */
export interface OutboxEnqueueOptions {
  headers?: Record<string, string>;
  /** The AMQP message id, which idempotent task handlers deduplicate on. @default a random UUID */
  messageId?: string;
  priority?: number;
  correlationId?: string;
}

/**
 * Writes messages into `databus_outbox` inside the caller's database transaction: nothing reaches a broker
 * unless that transaction commits; the relay publishes the committed rows afterwards. `tx` is a
 * node-postgres client inside `BEGIN`, a TypeORM `EntityManager` of a transaction, a Prisma transaction
 * client, or whatever an adapter of the module's `adapters` accepts.
 *
 * Rows with a key take a transaction-scoped advisory lock on (destination, key) first, so two transactions
 * writing the same key commit in the order their rows were numbered, and the relay publishes them in that
 * order. Writers of one key therefore wait for each other's commit.
 * @publicApi
 */
@Injectable()
export class OutboxService {
  constructor(@Inject(OUTBOX_OPTIONS) private readonly options: ResolvedOutboxOptions) {}

  /** Writes a dataset message for `ChannelService.produce(dataset, payload, { key, headers })`; resolves with its message id. */
  produce(
    tx: unknown,
    dataset: string,
    payload: unknown,
    options: OutboxProduceOptions = {},
  ): Promise<string> {
    assertNonEmptyString(dataset, 'outbox.produce: dataset');
    if (options.key !== undefined && typeof options.key !== 'string')
      throw new ConfigurationError('outbox.produce: key', 'a string');
    return this.write(tx, 'outbox.produce', 'dataset', dataset, payload, options, {});
  }

  /** Writes a task for `TaskQueue.enqueue(task, payload, options)`; resolves with its message id. */
  enqueue(tx: unknown, task: string, payload: unknown, options: OutboxEnqueueOptions = {}): Promise<string> {
    assertNonEmptyString(task, 'outbox.enqueue: task');
    const extra: Record<string, unknown> = {};
    if (options.priority !== undefined) extra.priority = options.priority;
    if (options.correlationId !== undefined) extra.correlationId = options.correlationId;
    return this.write(tx, 'outbox.enqueue', 'task', task, payload, options, extra);
  }

  private async write(
    tx: unknown,
    where: string,
    kind: 'dataset' | 'task',
    destination: string,
    payload: unknown,
    options: { key?: string; headers?: Record<string, string>; messageId?: string },
    extra: Record<string, unknown>,
  ): Promise<string> {
    const executor = sqlExecutorFor(tx, this.options.adapters, where);
    const messageId =
      options.messageId === undefined
        ? randomUUID()
        : assertNonEmptyString(options.messageId, `${where}: messageId`);
    const headers = { ...(options.headers ?? {}) };
    if (kind === 'dataset') headers[MESSAGE_ID_HEADER] = messageId;
    const { encoding, bytes } = encodeOutboxPayload(payload);
    const key = options.key ?? null;
    const values = [
      messageId,
      kind,
      destination,
      key,
      JSON.stringify(headers),
      encoding,
      bytes,
      JSON.stringify(extra),
    ];
    const columns = '(message_id, kind, destination, message_key, headers, encoding, payload, options)';
    const table = this.options.tables.outbox;
    if (key === null)
      await executor.execute(
        `INSERT INTO ${table} ${columns} VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        values,
      );
    else
      await executor.execute(
        `WITH ordered AS (SELECT pg_advisory_xact_lock(hashtextextended($9::text, 0)))
         INSERT INTO ${table} ${columns}
         SELECT $1::text, $2::text, $3::text, $4::text, $5::jsonb, $6::text, $7::bytea, $8::jsonb FROM ordered`,
        [...values, `databus-outbox\u001f${kind}\u001f${destination}\u001f${key}`],
      );
    return messageId;
  }
}
