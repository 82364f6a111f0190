import { randomBytes } from 'node:crypto';
import type { ConsumeMessage, GetMessage, Options } from 'amqplib';
import { DatabusHeaders } from '../../message/headers';
import { IncomingRecord, MessageHeaders, OutgoingRecord } from '../../transport/transport-record.interface';

/** Header names of the amqp wire format (see the README's "Wire format"). */
export const AmqpHeaders = Object.freeze({
  /** The record's key (AMQP 0-9-1 has no key field: the routing key is the stream's name). */
  KEY: 'x-databus-key',
  /**
   * When the record was produced, epoch milliseconds: written by earlier versions, still read. Now the
   * milliseconds lead the `message_id` (see `messageIdFor`), so a plain record needs no headers table.
   */
  TIMESTAMP_MS: 'x-databus-timestamp-ms',
  /** Set by RabbitMQ on every delivery from a stream: the message's offset. */
  STREAM_OFFSET: 'x-stream-offset',
});

const HIDDEN = new Set<string>([AmqpHeaders.KEY, AmqpHeaders.TIMESTAMP_MS, AmqpHeaders.STREAM_OFFSET]);

/** This process's part of every `message_id` (random, once), so ids stay unique across producers. */
const PROCESS_PART = randomBytes(6).toString('hex');
let counter = 0;

/**
 * The time stamp of the messages published together: one `now` (epoch ms) and its text. A headers table
 * per message is the largest per-message cost of a stream publish (the broker parses it, amqplib copies
 * it), so the milliseconds travel in the `message_id` instead: `<epoch ms>-<process part><counter>`.
 */
export class PublishStamp {
  readonly text: string;

  constructor(readonly now = Date.now()) {
    this.text = String(now);
  }

  /** A unique `message_id` that starts with this stamp's epoch milliseconds. */
  messageId(): string {
    counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
    return `${this.text}-${PROCESS_PART}${counter.toString(36)}`;
  }
}

/** Properties of a published record: persistent, content type as the AMQP property, other headers as headers. */
export function publishOptions(
  record: OutgoingRecord,
  extra: { replyTo?: string; correlationId?: string; mandatory?: boolean } = {},
  stamp = new PublishStamp(),
): Options.Publish {
  let headers: Record<string, string> | undefined;
  let contentType: string | undefined;
  const source = record.headers;
  for (const name in source) {
    if (name.toLowerCase() === DatabusHeaders.CONTENT_TYPE) contentType = source[name];
    else (headers ??= {})[name] = source[name];
  }
  if (record.key !== undefined) (headers ??= {})[AmqpHeaders.KEY] = record.key;
  const options: Options.Publish = {
    persistent: true,
    contentType,
    headers,
    messageId: stamp.messageId(),
    timestamp: Math.floor(stamp.now / 1000),
  };
  if (extra.mandatory) options.mandatory = true;
  if (extra.replyTo !== undefined) options.replyTo = extra.replyTo;
  if (extra.correlationId !== undefined) options.correlationId = extra.correlationId;
  return options;
}

/** The stream offset RabbitMQ put on a delivery, or `undefined` for a message that is not from a stream. */
export function streamOffset(message: ConsumeMessage | GetMessage): number | undefined {
  const value: unknown = message.properties.headers?.[AmqpHeaders.STREAM_OFFSET];
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  return undefined;
}

/** `<epoch ms>-…`: the milliseconds that lead our `message_id`. */
const MS_ID = /^(\d{1,15})-/;

/**
 * Epoch milliseconds of a message of ours: the `x-databus-timestamp-ms` header (earlier versions), else the
 * milliseconds leading the `message_id` when they agree with the AMQP `timestamp` (seconds), so that
 * another client's message id that merely looks alike is not taken for a time.
 */
function exactMillis(message: ConsumeMessage | GetMessage): number | undefined {
  const value: unknown = message.properties.headers?.[AmqpHeaders.TIMESTAMP_MS];
  if (value !== undefined) {
    const ms = typeof value === 'number' ? value : Number(headerText(value));
    return Number.isFinite(ms) && ms > 0 ? ms : undefined;
  }
  const id: unknown = message.properties.messageId;
  const seconds: unknown = message.properties.timestamp;
  if (typeof id !== 'string' || typeof seconds !== 'number') return undefined;
  const match = MS_ID.exec(id);
  if (!match) return undefined;
  const ms = Number(match[1]);
  return ms > 0 && Math.floor(ms / 1000) === seconds ? ms : undefined;
}

/** When a delivered message was produced: our milliseconds (id or header), else the AMQP `timestamp` (seconds). */
export function messageTime(message: ConsumeMessage | GetMessage): Date | undefined {
  const ms = exactMillis(message);
  if (ms !== undefined) return new Date(ms);
  const seconds: unknown = message.properties.timestamp;
  if (typeof seconds === 'number' && seconds > 0) return new Date(seconds * 1000);
  return undefined;
}

/**
 * True when `message` was certainly produced before `ms`: by our milliseconds (id or header), else by the AMQP
 * `timestamp` (whole seconds, so only when its whole second lies before `ms`). Unknown: false.
 */
export function producedBefore(message: ConsumeMessage | GetMessage, ms: number): boolean {
  const exact = exactMillis(message);
  if (exact !== undefined) return exact < ms;
  const seconds: unknown = message.properties.timestamp;
  return typeof seconds === 'number' && seconds > 0 && (seconds + 1) * 1000 <= ms;
}

/** Turns a delivery into the runtime's record. Header values that are not strings are converted to text. */
export function toIncomingRecord(
  dataset: string,
  message: ConsumeMessage | GetMessage,
  sequence: number,
  redelivered = message.fields.redelivered,
): IncomingRecord {
  const raw = message.properties.headers ?? {};
  const headers: MessageHeaders = {};
  for (const [name, value] of Object.entries(raw)) {
    if (HIDDEN.has(name) || value === undefined || value === null) continue;
    headers[name] = headerText(value);
  }
  if (message.properties.contentType)
    headers[DatabusHeaders.CONTENT_TYPE] = String(message.properties.contentType);
  const key = raw[AmqpHeaders.KEY];
  return {
    dataset,
    key: key === undefined || key === null ? undefined : headerText(key),
    headers,
    data: message.content,
    sequence,
    timestamp: messageTime(message) ?? new Date(),
    redelivered,
    replyTo: message.properties.replyTo ? String(message.properties.replyTo) : undefined,
    correlationId: message.properties.correlationId ? String(message.properties.correlationId) : undefined,
  };
}

/** A header value as text: strings as is, bytes as UTF-8, numbers and booleans printed, the rest as JSON. */
export function headerText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (value instanceof Date) return value.toISOString();
  if (value && typeof value === 'object' && '!' in value && 'value' in value)
    return headerText((value as { value: unknown }).value);
  return JSON.stringify(value) ?? '';
}
