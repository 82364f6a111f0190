import type { JsMsg } from '@nats-io/jetstream';
import { headers as natsHeaders, type Msg, type MsgHdrs } from './nats-client';
import { IncomingRecord, MessageHeaders, OutgoingRecord } from '../../transport/transport-record.interface';
import { NatsWireHeaders } from './nats-wire-headers';

export { NatsWireHeaders };

const HIDDEN = new Set([
  NatsWireHeaders.KEY,
  NatsWireHeaders.REPLY_TO,
  NatsWireHeaders.CORRELATION_ID,
  NatsWireHeaders.MSG_ID.toLowerCase(),
]);

/** The NATS headers of an outgoing record: its headers, plus key, reply inbox and correlation id. */
export function toNatsHeaders(
  record: OutgoingRecord,
  extra: { replyTo?: string; correlationId?: string } = {},
): MsgHdrs {
  const h = natsHeaders();
  for (const [name, value] of Object.entries(record.headers)) if (value !== undefined) h.set(name, value);
  if (record.key !== undefined) h.set(NatsWireHeaders.KEY, record.key);
  if (extra.replyTo !== undefined) h.set(NatsWireHeaders.REPLY_TO, extra.replyTo);
  if (extra.correlationId !== undefined) h.set(NatsWireHeaders.CORRELATION_ID, extra.correlationId);
  return h;
}

/** Header names lower-cased (NATS headers are case-insensitive like HTTP's); the first value of each. */
export function readHeaders(h: MsgHdrs | undefined): { all: MessageHeaders; visible: MessageHeaders } {
  const all: MessageHeaders = {};
  const visible: MessageHeaders = {};
  if (!h) return { all, visible };
  for (const name of h.keys()) {
    const lower = name.toLowerCase();
    if (lower in all) continue;
    const value = h.get(name);
    all[lower] = value;
    if (!HIDDEN.has(lower)) visible[lower] = value;
  }
  return { all, visible };
}

/** A zero-copy Buffer over a message body. */
export function bodyOf(data: Uint8Array): Buffer {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * Converts a JetStream delivery into a record; the `JsMsg` is the acknowledgement token. `seenBefore`: the
 * subscription already handed this stream sequence out (a second delivery the server's count may not show).
 */
export function fromJsMsg(dataset: string, msg: JsMsg, seenBefore = false): IncomingRecord {
  const { all, visible } = readHeaders(msg.headers);
  return {
    dataset,
    key: all[NatsWireHeaders.KEY],
    headers: visible,
    data: bodyOf(msg.data),
    sequence: msg.seq,
    timestamp: msg.time,
    redelivered: seenBefore || msg.redelivered,
    replyTo: all[NatsWireHeaders.REPLY_TO],
    correlationId: all[NatsWireHeaders.CORRELATION_ID],
    token: msg,
  };
}

/** Converts a core-NATS reply into a record (no sequence: replies are not stored). */
export function fromReply(inbox: string, msg: Msg): IncomingRecord {
  const { all, visible } = readHeaders(msg.headers);
  return {
    dataset: inbox,
    key: all[NatsWireHeaders.KEY],
    headers: visible,
    data: bodyOf(msg.data),
    sequence: 0,
    timestamp: new Date(),
    redelivered: false,
    correlationId: all[NatsWireHeaders.CORRELATION_ID],
  };
}
