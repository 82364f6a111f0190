import { TemporaryError } from '@databus/common';
import { Offset } from '../../offset/offset';
import { IncomingRecord, MessageHeaders, OutgoingRecord } from '../../transport/transport-record.interface';

/** Content type of a produce call (the seed channel's `application/vnd.dxl.intel.records.v1+json`). */
export const RECORDS_CONTENT_TYPE = 'application/vnd.dxl.intel.records.v1+json';

/** One record as the service carries it. */
export interface WireRecord {
  routingData: { topic: string; shardingKey?: string };
  message: { headers: MessageHeaders; payload: string };
  partition?: number;
  offset?: number;
}

/** Where a consumed record sits, as the offsets call wants it back (consumed offset as is, no +1). */
export interface WirePosition {
  topic: string;
  partition: number;
  offset: number;
}

/** `requestTimeoutMs` / `sessionTimeoutMs` of `open()`, sent as the consumer's millisecond configs. */
const NAMED_CONFIGS: Record<string, string> = {
  requestTimeoutMs: 'request.timeout.ms',
  sessionTimeoutMs: 'session.timeout.ms',
};

/**
 * The `configs` of a consumer create call, as the seed channel builds them: the extra configs as the base,
 * `enable.auto.commit` `"false"` unless they set it, `auto.offset.reset` from the start position
 * (`latest`, `earliest`, `none`), and the timeouts in milliseconds when given. Values are strings.
 */
export function consumerConfigs(
  start: Offset,
  consumerConfig: Readonly<Record<string, unknown>> = {},
): Record<string, string> {
  const configs: Record<string, string> = {};
  for (const [key, value] of Object.entries(consumerConfig)) {
    if (value === undefined) continue;
    configs[NAMED_CONFIGS[key] ?? key] = String(value);
  }
  configs['enable.auto.commit'] ??= 'false';
  configs['auto.offset.reset'] =
    start.kind === 'begin' ? 'earliest' : start.kind === 'none' ? 'none' : 'latest';
  return configs;
}

/** A record for the produce call: payload base64, key as the sharding key, headers as they are. */
export function toWireRecord(dataset: string, record: OutgoingRecord): WireRecord {
  return {
    routingData: { topic: dataset, ...(record.key !== undefined ? { shardingKey: record.key } : {}) },
    message: { headers: { ...record.headers }, payload: record.data.toString('base64') },
  };
}

/**
 * The records of a records answer. An empty body (204) is no records; anything that is not the documented
 * shape is a `TemporaryError`, as the seed channel treats it.
 */
export function fromWireRecords(body: string, dataset: string, receivedAt: Date): IncomingRecord[] {
  if (body.trim() === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new TemporaryError(`The records of "${dataset}" are not JSON.`);
  }
  const list = (parsed as { records?: unknown })?.records;
  if (!Array.isArray(list))
    throw new TemporaryError(`The records answer of "${dataset}" has no records list.`);
  return list.map((item, index) => toIncoming(item as WireRecord, dataset, receivedAt, index));
}

/** The body of an offsets call. */
export function commitBody(positions: readonly WirePosition[]): { offsets: WirePosition[] } {
  return { offsets: positions.map(({ topic, partition, offset }) => ({ topic, partition, offset })) };
}

function toIncoming(item: WireRecord, dataset: string, receivedAt: Date, index: number): IncomingRecord {
  const partition = Number(item?.partition);
  const offset = Number(item?.offset);
  const payload = item?.message?.payload;
  if (!Number.isSafeInteger(partition) || !Number.isSafeInteger(offset) || typeof payload !== 'string')
    throw new TemporaryError(
      `Record ${index} of "${dataset}" lacks a partition, an offset or a base64 payload.`,
    );
  const topic = typeof item.routingData?.topic === 'string' ? item.routingData.topic : dataset;
  const key = item.routingData?.shardingKey;
  const position: WirePosition = { topic, partition, offset };
  return {
    dataset,
    key: typeof key === 'string' && key !== '' ? key : undefined,
    headers: stringHeaders(item.message.headers),
    data: Buffer.from(payload, 'base64'),
    sequence: offset,
    partition,
    timestamp: receivedAt,
    redelivered: false,
    token: position,
  };
}

function stringHeaders(headers: unknown): MessageHeaders {
  const out: MessageHeaders = {};
  if (!headers || typeof headers !== 'object') return out;
  for (const [name, value] of Object.entries(headers as Record<string, unknown>))
    if (value !== undefined && value !== null) out[name] = String(value);
  return out;
}
