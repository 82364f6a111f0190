import type { PayloadEncoding } from './payload';

/** One row of `databus_outbox` as the relay reads it. */
export interface OutboxRow {
  id: string;
  messageId: string;
  kind: 'dataset' | 'task';
  destination: string;
  key: string | null;
  headers: Record<string, string>;
  encoding: PayloadEncoding;
  payload: Buffer;
  options: { priority?: number; correlationId?: string };
  attempts: number;
}

/** Maps a `pg` result row (snake_case columns) to an {@link OutboxRow}. */
export function toOutboxRow(row: Record<string, unknown>): OutboxRow {
  return {
    id: String(row.id),
    messageId: row.message_id as string,
    kind: row.kind as OutboxRow['kind'],
    destination: row.destination as string,
    key: (row.message_key as string | null) ?? null,
    headers: (row.headers as Record<string, string>) ?? {},
    encoding: row.encoding as PayloadEncoding,
    payload: row.payload as Buffer,
    options: (row.options as OutboxRow['options']) ?? {},
    attempts: Number(row.attempts ?? 0),
  };
}
