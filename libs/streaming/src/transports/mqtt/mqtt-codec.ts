import type { IClientPublishOptions, IPublishPacket } from 'mqtt';
import { DatabusHeaders } from '../../message/headers';
import { IncomingRecord, MessageHeaders, OutgoingRecord } from '../../transport/transport-record.interface';

/** User property carrying the record key (MQTT has no key field). @publicApi */
export const MQTT_KEY_PROPERTY = 'x-databus-key';

/** Prefix marking a correlation id that holds base64 of binary MQTT 5 correlation data. */
const BINARY_CORRELATION = 'base64:';

/** Where a request wants its reply, sent natively as MQTT 5 properties. */
export interface ReplyAddress {
  responseTopic: string;
  correlationData: Buffer;
}

/**
 * MQTT 5 publish options for a record: QoS 1, `content-type` as the native Content Type, the key as the user
 * property `x-databus-key`, every other header as a user property, and a reply address as Response Topic +
 * Correlation Data. The body is the record's bytes, untouched.
 */
export function toPublishOptions(record: OutgoingRecord, reply?: ReplyAddress): IClientPublishOptions {
  const userProperties: Record<string, string> = {};
  let contentType: string | undefined;
  for (const [name, value] of Object.entries(record.headers)) {
    if (name.toLowerCase() === DatabusHeaders.CONTENT_TYPE) contentType = value;
    else userProperties[name] = value;
  }
  if (record.key !== undefined) userProperties[MQTT_KEY_PROPERTY] = record.key;
  const properties: NonNullable<IClientPublishOptions['properties']> = {};
  if (contentType !== undefined) properties.contentType = contentType;
  if (Object.keys(userProperties).length > 0) properties.userProperties = userProperties;
  if (reply) {
    properties.responseTopic = reply.responseTopic;
    properties.correlationData = reply.correlationData;
  }
  return { qos: 1, properties };
}

/**
 * The record a received PUBLISH stands for. MQTT has no sequence numbers or timestamps: `sequence` is the
 * subscription's own counter and `timestamp` the arrival time.
 */
export function fromPacket(
  packet: IPublishPacket,
  dataset: string,
  sequence: number,
  token?: unknown,
): IncomingRecord {
  const props = packet.properties ?? {};
  const headers: MessageHeaders = {};
  let key: string | undefined;
  for (const [name, raw] of Object.entries(props.userProperties ?? {})) {
    const value = Array.isArray(raw) ? raw.join(',') : String(raw);
    if (name === MQTT_KEY_PROPERTY) key = value;
    else headers[name] = value;
  }
  if (props.contentType !== undefined) headers[DatabusHeaders.CONTENT_TYPE] = props.contentType;
  const data = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
  return {
    dataset,
    key,
    headers,
    data,
    sequence,
    timestamp: new Date(),
    redelivered: packet.dup === true,
    replyTo: props.responseTopic,
    correlationId:
      props.correlationData === undefined ? undefined : encodeCorrelation(Buffer.from(props.correlationData)),
    token,
  };
}

/** Correlation data as a string: UTF-8 when it round-trips, else `base64:<data>`. */
export function encodeCorrelation(data: Buffer): string {
  const text = data.toString('utf8');
  if (!text.startsWith(BINARY_CORRELATION) && Buffer.from(text, 'utf8').equals(data)) return text;
  return BINARY_CORRELATION + data.toString('base64');
}

/** The bytes `encodeCorrelation` was given. */
export function decodeCorrelation(id: string): Buffer {
  return id.startsWith(BINARY_CORRELATION)
    ? Buffer.from(id.slice(BINARY_CORRELATION.length), 'base64')
    : Buffer.from(id, 'utf8');
}
