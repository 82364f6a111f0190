import type { ResolvedAmqpDataset } from './amqp-dataset';

/** Message headers: string keys and values on every transport. @publicApi */
export type MessageHeaders = Record<string, string>;

/** A message on its way to a transport, already encoded. */
export interface OutgoingRecord {
  /** Ordering and partitioning key; messages with the same key keep their order. */
  key?: string;
  headers: MessageHeaders;
  data: Buffer;
  /**
   * The body as text, when it was encoded from text (a JSON or string value of `ChannelService.produce`):
   * `data` is its UTF-8 bytes, built on first read. A transport whose client takes a string (mqtt.js) may send
   * this instead, so the bytes are never built; absent once `data` is read or assigned.
   */
  readonly text?: string;
  /** amqp transport: the dataset is a plain queue or exchange (`ProduceOptions.amqp`); others ignore it. */
  amqp?: ResolvedAmqpDataset;
}

/** Where a produced message landed. */
export interface ProduceResult {
  sequence?: number;
  partition?: number;
}

/**
 * A message as a transport delivers it. `token` is the transport's own handle for acking it (a delivery tag,
 * a JetStream message, a Kafka partition offset); the runtime passes records back to the same subscription.
 */
export interface IncomingRecord {
  dataset: string;
  key?: string;
  headers: MessageHeaders;
  data: Buffer;
  /** Position in the dataset (per partition where there are partitions). */
  sequence: number;
  timestamp: Date;
  partition?: number;
  /** True when the broker delivered this message before and it was not acknowledged. */
  redelivered: boolean;
  /** Where a reply should go, when the producer asked for one. */
  replyTo?: string;
  correlationId?: string;
  /** Transport-private acknowledgement handle. */
  token?: unknown;
  /**
   * One header's value, as `headers[name]` gives it, read without building `headers` (a transport whose headers
   * are decoded on first read may provide it, so a record whose handler reads no header builds none). Absent:
   * the runtime reads `headers`.
   */
  header?(name: string): string | undefined;
}
