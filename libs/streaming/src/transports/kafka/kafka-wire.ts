import { IncomingRecord, OutgoingRecord } from '../../transport/transport-record.interface';
import { KafkaDriverRecord, KafkaOutgoingMessage } from './kafka-driver.interface';

/**
 * Kafka record headers databus uses for request/reply (Kafka has no native reply address). They are removed
 * from `headers` on the way in and exposed as `replyTo` / `correlationId`.
 * @publicApi
 */
export const KafkaReplyHeaders = Object.freeze({
  /** Topic the reply must be produced to. */
  REPLY_TO: 'x-databus-reply-to',
  /** Correlation id the reply must carry back. */
  CORRELATION_ID: 'x-databus-correlation-id',
});

/** Acknowledgement handle of a Kafka record: the partition and the assignment epoch it was delivered in. */
export interface KafkaRecordToken {
  partition: number;
  epoch: number;
}

/**
 * An outgoing record as a Kafka message: body as is, key in the Kafka key, headers (content-type included)
 * as Kafka headers, plus the reply headers when given.
 */
export function toKafkaMessage(
  record: OutgoingRecord,
  reply?: { replyTo?: string; correlationId?: string },
): KafkaOutgoingMessage {
  const headers: Record<string, string> = { ...record.headers };
  if (reply?.replyTo !== undefined) headers[KafkaReplyHeaders.REPLY_TO] = reply.replyTo;
  if (reply?.correlationId !== undefined) headers[KafkaReplyHeaders.CORRELATION_ID] = reply.correlationId;
  return { key: record.key, value: record.data, headers };
}

/**
 * A consumed Kafka record as an `IncomingRecord` (`sequence` = offset, `partition` = partition). The record's
 * headers object is used as it is unless it carries the reply headers (then a copy without them): the
 * driver decodes a fresh one per record. `token` may be shared by every record of one batch.
 */
export function toIncomingRecord(
  dataset: string,
  partition: number,
  record: KafkaDriverRecord,
  epoch: number,
  redelivered: boolean,
  token: KafkaRecordToken = { partition, epoch },
): IncomingRecord {
  let headers = record.headers;
  const replyTo = headers[KafkaReplyHeaders.REPLY_TO];
  const correlationId = headers[KafkaReplyHeaders.CORRELATION_ID];
  if (replyTo !== undefined || correlationId !== undefined) headers = withoutReplyHeaders(headers);
  return {
    dataset,
    key: record.key === undefined ? undefined : record.key.toString('utf8'),
    headers,
    data: record.value,
    sequence: record.offset,
    timestamp: new Date(record.timestamp),
    partition,
    redelivered,
    replyTo: replyTo || undefined,
    correlationId: correlationId || undefined,
    token,
  };
}

/** A copy of `headers` without the reply headers (built, not `delete`d: keeps the object fast). */
function withoutReplyHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in headers)
    if (name !== KafkaReplyHeaders.REPLY_TO && name !== KafkaReplyHeaders.CORRELATION_ID)
      out[name] = headers[name];
  return out;
}
