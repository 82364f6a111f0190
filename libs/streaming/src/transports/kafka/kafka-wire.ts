import { IncomingRecord, OutgoingRecord } from '../../transport/transport-record.interface';
import { KafkaOutgoingMessage, KafkaRecordReader } from './kafka-driver.interface';

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
 * as Kafka headers, plus the reply headers when given (on a copy: the record's own headers are never
 * changed; without reply headers they are handed on as they are, the client only reads them).
 */
export function toKafkaMessage(
  record: OutgoingRecord,
  reply?: { replyTo?: string; correlationId?: string },
): KafkaOutgoingMessage {
  if (reply === undefined) return { key: record.key, value: record.data, headers: record.headers };
  const headers: Record<string, string> = { ...record.headers };
  if (reply.replyTo !== undefined) headers[KafkaReplyHeaders.REPLY_TO] = reply.replyTo;
  if (reply.correlationId !== undefined) headers[KafkaReplyHeaders.CORRELATION_ID] = reply.correlationId;
  return { key: record.key, value: record.data, headers };
}

/**
 * A consumed Kafka record as an `IncomingRecord` (`sequence` = offset, `partition` = partition): the one object
 * databus adds to the client's message, which it reads on demand through the driver's `KafkaRecordReader`. The
 * key string, the headers (without the reply headers) and the `Date` are built on first read and kept (a
 * handler that never reads them costs none of them); `replyTo` and `correlationId` read their header when read.
 * The fields the runtime and the subscription use for every record are own fields set here. `token` may be
 * shared by every record of one batch.
 */
export class KafkaIncomingRecord<M = unknown> implements IncomingRecord {
  dataset: string;
  data: Buffer;
  sequence: number;
  partition: number;
  redelivered: boolean;
  token: KafkaRecordToken;
  private readonly source: M;
  private readonly reader: KafkaRecordReader<M>;
  // Built on first read (null: not read yet); a runtime or test that assigns one replaces it.
  private keyText: string | undefined | null = null;
  private headerValues: Record<string, string> | null = null;
  private date: Date | null = null;
  /** `replyTo` and `correlationId` once assigned (null: read from the headers). */
  private reply: { replyTo?: string; correlationId?: string } | null = null;

  constructor(
    dataset: string,
    partition: number,
    record: M,
    reader: KafkaRecordReader<M>,
    redelivered: boolean,
    token: KafkaRecordToken,
  ) {
    this.dataset = dataset;
    this.data = reader.value(record);
    this.sequence = reader.offset(record);
    this.partition = partition;
    this.redelivered = redelivered;
    this.token = token;
    this.source = record;
    this.reader = reader;
  }

  get key(): string | undefined {
    if (this.keyText === null) {
      const raw = this.reader.key(this.source);
      this.keyText = raw === undefined ? undefined : raw.toString('utf8');
    }
    return this.keyText;
  }

  set key(value: string | undefined) {
    this.keyText = value;
  }

  /** The record's headers without the reply headers. */
  get headers(): Record<string, string> {
    if (this.headerValues === null) {
      const headers = this.reader.headers(this.source);
      this.headerValues =
        headers[KafkaReplyHeaders.REPLY_TO] !== undefined ||
        headers[KafkaReplyHeaders.CORRELATION_ID] !== undefined
          ? withoutReplyHeaders(headers)
          : headers;
    }
    return this.headerValues;
  }

  set headers(value: Record<string, string>) {
    this.headerValues = value;
  }

  /** `headers[name]`, without building `headers` when they were not read yet. */
  header(name: string): string | undefined {
    if (this.headerValues !== null) return this.headerValues[name];
    if (name === KafkaReplyHeaders.REPLY_TO || name === KafkaReplyHeaders.CORRELATION_ID) return undefined;
    return this.reader.header(this.source, name);
  }

  get timestamp(): Date {
    return (this.date ??= new Date(this.reader.timestamp(this.source)));
  }

  set timestamp(value: Date) {
    this.date = value;
  }

  get replyTo(): string | undefined {
    // Read once per record by the runtime (is there a reply to send?): one header, not the whole set.
    if (this.reply !== null) return this.reply.replyTo;
    return this.reader.header(this.source, KafkaReplyHeaders.REPLY_TO) || undefined;
  }

  set replyTo(value: string | undefined) {
    (this.reply ??= { correlationId: this.correlationId }).replyTo = value;
  }

  get correlationId(): string | undefined {
    if (this.reply !== null) return this.reply.correlationId;
    return this.reader.header(this.source, KafkaReplyHeaders.CORRELATION_ID) || undefined;
  }

  set correlationId(value: string | undefined) {
    (this.reply ??= { replyTo: this.replyTo }).correlationId = value;
  }
}

/**
 * A consumed Kafka record as an `IncomingRecord` (see `KafkaIncomingRecord`). `token` may be shared by every
 * record of one batch.
 */
export function toIncomingRecord<M>(
  dataset: string,
  partition: number,
  record: M,
  reader: KafkaRecordReader<M>,
  epoch: number,
  redelivered: boolean,
  token: KafkaRecordToken = { partition, epoch },
): IncomingRecord {
  return new KafkaIncomingRecord(dataset, partition, record, reader, redelivered, token);
}

/** A copy of `headers` without the reply headers (built, not `delete`d: keeps the object fast). */
function withoutReplyHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in headers)
    if (name !== KafkaReplyHeaders.REPLY_TO && name !== KafkaReplyHeaders.CORRELATION_ID)
      out[name] = headers[name];
  return out;
}
