// No imports: the barrel of @databus/streaming may export this without loading nats.js.

/**
 * Header names of the NATS wire format. The body is the record's bytes as they are (JSON from
 * `ChannelService`); everything else travels as NATS message headers.
 * @publicApi
 */
export const NatsWireHeaders = Object.freeze({
  /** The ordering key (JetStream messages have no key field). */
  KEY: 'x-databus-key',
  /** Core-NATS inbox a reply goes to, on a request stored in the dataset's stream. */
  REPLY_TO: 'x-databus-reply-to',
  /** Correlates a reply with its request. */
  CORRELATION_ID: 'x-databus-correlation-id',
  /** JetStream's de-duplication id (set by the producer; not shown to handlers). */
  MSG_ID: 'Nats-Msg-Id',
});
