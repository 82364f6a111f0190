/**
 * @databus/streaming: stream datasets on Kafka, RabbitMQ (streams), MQTT, NATS JetStream or the embedded
 * memory broker, with one API and the same delivery semantics on every transport.
 */
export { StreamingModule } from './streaming.module';
export {
  STREAMING_MODULE_OPTIONS,
  STREAMING_OPTIONS_TYPE,
  STREAMING_ASYNC_OPTIONS_TYPE,
} from './streaming.module-definition';
export {
  getChannelToken,
  getStreamingRegistryToken,
  getStreamingHealthToken,
  DATABUS_CONTEXT_TYPE,
} from './streaming.constants';
export type {
  StreamingModuleOptions,
  StreamingModuleExtras,
  ConsumerOptions,
  DatasetHandlerOptions,
  HandlerRetryOptions,
  ProduceOptions,
  ProduceMessage,
  ProduceRecord,
} from './options/streaming-options.interface';

export { ChannelService, type SubscribeOptions, type RequestOptions } from './channel/channel.service';
export { Subscription, type WaitOptions } from './channel/subscription';
export {
  ConsumerGroupChannel,
  type ChannelDatasets,
  type OpenChannelOptions,
  type RunOptions,
} from './channel/consumer-group-channel';

export { OnDatasetMessage, type DatasetHandlerMetadata } from './decorators/on-dataset-message.decorator';
export { Payload, Ctx } from './decorators/params.decorator';
export { InjectChannel } from './decorators/inject-channel.decorator';

export { DatasetMessage } from './message/dataset-message';
export { DatabusHeaders } from './message/headers';
export type { PayloadDecoding } from './message/codec';
export {
  Offset,
  type OffsetInput,
  type OffsetName,
  type BeginOffset,
  type LatestOffset,
  type NoneOffset,
  type SequenceOffset,
  type TimeOffset,
} from './offset/offset';

export * from './errors';
export {
  DatabusError,
  TemporaryError,
  ConsumerError,
  PermanentError,
  UnsupportedFeatureError,
  ConfigurationError,
  AuthenticationError,
  PayloadDecodeError,
  RequestTimeoutError,
  type AmqpDeclareOptions,
  type DeliveryMode,
} from '@databus/common';

// The transport SPI, for custom transports and the transports' own packages.
export type * from './transport/transport.interface';
export type {
  ChannelSettingsCapabilities,
  DatasetPatternSupport,
  TransportCapabilities,
} from './transport/transport-capabilities';
export type * from './transport/transport-record.interface';
export type { DatasetPatternMatcher } from './transport/dataset-pattern';
export { type TransportStatus, StatusEmitter } from './transport/transport-status';

export { StreamingHandlerRegistry, type HandlerInfo } from './observability/streaming-handler.registry';
export {
  StreamingHealthIndicator,
  type StreamingHealthResult,
} from './observability/streaming-health.indicator';
export type { StreamingEvent, StreamingEventListener } from './connection/streaming-events';

export { MemoryStreaming } from './testing/memory-testing';
export type { MemoryTransportOptions, MemoryRetention } from './transports/memory';
// Transport option types and wire constants come from import-free files, so the barrel never loads a broker client.
export type { NatsTransportOptions, NatsStreamOptions } from './transports/nats/nats.options';
export { NatsWireHeaders } from './transports/nats/nats-wire-headers';
export type { AmqpTransportOptions, AmqpRetentionOptions } from './transports/amqp/amqp.options';
export type { AmqpDatasetOptions } from './transport/amqp-dataset';
export type { DatasetPattern } from './transport/dataset-pattern';
export type { MqttTransportOptions } from './transports/mqtt/mqtt.options';
export type { RestStreamingTransportOptions } from './transports/rest/rest.options';
export type { AccountServerOptions } from './account-server/account-server.options';
export { durableNameForCn } from './account-server/durable-name';
export {
  RestStreamingTransport,
  DEFAULT_CONSUMER_PATH_PREFIX,
  DEFAULT_PRODUCER_PATH_PREFIX,
  RECORDS_CONTENT_TYPE,
} from './transports/rest';
export type {
  KafkaTransportOptions,
  KafkaSaslMechanism,
  KafkaConsumerTuning,
} from './transports/kafka/kafka.options';
