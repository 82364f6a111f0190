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

/** The content type a message without a Content Type property is read as (and so is not sent). */
const IMPLIED_CONTENT_TYPE = 'application/json';

/** The options of a record with nothing to carry but its JSON body: shared, never changed. */
const PLAIN_QOS1: IClientPublishOptions = Object.freeze({ qos: 1 });

/**
 * What mqtt.js is given as a record's PUBLISH payload: the text a record was encoded from when it has one
 * (mqtt.js writes its UTF-8 bytes, the same payload, without our Buffer or its store's copy of one), else its
 * bytes.
 */
export function payloadOf(record: OutgoingRecord): Buffer | string {
  return record.text ?? record.data;
}

/**
 * MQTT 5 publish options for a record: QoS 1, `content-type` as the native Content Type (except
 * `application/json`, the default: a message without a Content Type is read as JSON, so it is not sent), the
 * key as the user property `x-databus-key`, every other header as a user property, and a reply address as
 * Response Topic + Correlation Data. The body is the record's bytes, untouched. A record with none of them
 * (the JSON default of `ChannelService.produce`) gets one shared, frozen options object: treat the result as
 * read-only.
 */
export function toPublishOptions(
  record: OutgoingRecord,
  reply?: ReplyAddress,
  correlationData?: Buffer,
): IClientPublishOptions {
  let userProperties: Record<string, string> | undefined;
  let contentType: string | undefined;
  const headers = record.headers;
  for (const name in headers) {
    if (name === DatabusHeaders.CONTENT_TYPE || name.toLowerCase() === DatabusHeaders.CONTENT_TYPE)
      contentType = headers[name];
    else (userProperties ??= {})[name] = headers[name];
  }
  if (contentType === IMPLIED_CONTENT_TYPE) contentType = undefined;
  if (record.key !== undefined) (userProperties ??= {})[MQTT_KEY_PROPERTY] = record.key;
  if (contentType === undefined && userProperties === undefined && !reply && !correlationData)
    return PLAIN_QOS1;
  const properties: NonNullable<IClientPublishOptions['properties']> = {};
  if (contentType !== undefined) properties.contentType = contentType;
  if (userProperties !== undefined) properties.userProperties = userProperties;
  if (reply) {
    properties.responseTopic = reply.responseTopic;
    properties.correlationData = reply.correlationData;
  }
  if (correlationData) properties.correlationData = correlationData;
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
  // A PUBLISH with no properties (the JSON default of `produce()`) has none to read: no object is made for them.
  const props = packet.properties;
  const headers: MessageHeaders = {};
  let key: string | undefined;
  const user = props?.userProperties;
  if (user !== undefined)
    for (const name of Object.keys(user)) {
      const raw = user[name];
      const value = Array.isArray(raw) ? raw.join(',') : String(raw);
      if (name === MQTT_KEY_PROPERTY) key = value;
      else headers[name] = value;
    }
  if (props?.contentType !== undefined) headers[DatabusHeaders.CONTENT_TYPE] = props.contentType;
  const data = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
  const correlationData = props?.correlationData;
  return {
    dataset,
    key,
    headers,
    data,
    sequence,
    timestamp: new Date(),
    redelivered: packet.dup === true,
    replyTo: props?.responseTopic,
    correlationId:
      correlationData === undefined ? undefined : encodeCorrelation(Buffer.from(correlationData)),
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
