import { TransportContext } from '../../src/transport/transport.interface';
import { KafkaTransport } from '../../src/transports/kafka/kafka.transport';
import { FakeKafka } from '../../src/transports/kafka/testing/fake-kafka.driver';
import { describeConformance } from '../conformance';

/**
 * The conformance suite, unchanged, on the kafka transport with the in-memory Kafka double at the driver
 * seam: it proves the transport's positions, commits, backpressure, rebalances and request/reply against the
 * shared runtime without a broker. The same suite runs on a real broker in kafka.int-spec.ts (KAFKA_BROKERS).
 */
const brokers = new Map<string, FakeKafka>();
let next = 0;

describe('kafka transport conformance on the in-memory driver double', () => {
  describeConformance({
    name: 'kafka (driver double)',
    url: () => `kafka://fake-${++next}:9092`,
    options: {
      transport: (context: TransportContext) =>
        new KafkaTransport(context, async () => {
          const host = context.url.hosts[0].host;
          let fake = brokers.get(host);
          if (!fake) brokers.set(host, (fake = new FakeKafka(3)));
          return { driver: fake };
        }),
    },
    // What the double's driver got for the group's consumer: the settings the transport handed to kafkajs.
    channelSettings: async (dataset, group) => {
      const consumer = [...brokers.values()]
        .flatMap((fake) => fake.consumers)
        .find((c) => c.settings.groupId === group && c.settings.topic === dataset);
      return {
        requestTimeoutMs: consumer?.settings.requestTimeoutMs,
        sessionTimeoutMs: consumer?.settings.sessionTimeoutMs,
      };
    },
    deliveryTimeoutMs: 5_000,
  });
});
