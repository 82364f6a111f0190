import { StreamingTransport, TransportContext } from '../../transport/transport.interface';
import { KafkaDriverFactory, KafkaTransport } from './kafka.transport';
import { buildKafkaConfig } from './kafkajs.config';
import { KafkajsDriver } from './kafkajs.driver';

/** The default driver: kafkajs 2.x, configured from the context (brokers, TLS, SASL, logs). */
export const kafkajsDriverFactory: KafkaDriverFactory = async (context, options) => {
  const built = await buildKafkaConfig(context, options);
  const driver = new KafkajsDriver(built.config, {
    idempotent: options.idempotent,
    numPartitions: options.numPartitions,
    replicationFactor: options.replicationFactor,
    minInsyncReplicas: options.minInsyncReplicas,
  });
  return { driver, dispose: built.dispose };
};

/** Builds the kafka transport (`kafka://b1:9092,b2:9092`, `kafka+ssl://…`) on kafkajs. */
export const kafkaTransportFactory = (context: TransportContext): StreamingTransport =>
  new KafkaTransport(context, kafkajsDriverFactory);

export { KafkaTransport } from './kafka.transport';
export type { KafkaDriverFactory } from './kafka.transport';
export { KafkaReplyHeaders } from './kafka-wire';
export type { KafkaTransportOptions, KafkaConsumerTuning, KafkaSaslMechanism } from './kafka.options';
export type {
  KafkaDriver,
  KafkaDriverConsumer,
  KafkaConsumerHandlers,
  KafkaConsumerSettings,
  KafkaDriverBatch,
  KafkaRecordReader,
  KafkaOutgoingMessage,
  KafkaProduceAck,
  KafkaPartitionRange,
  KafkaBatchOutcome,
} from './kafka-driver.interface';
