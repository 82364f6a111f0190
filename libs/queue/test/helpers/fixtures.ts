import { MemoryBroker } from '@databus/queue';
import { brokerUrl } from '@databus/testing';
import { ConformanceFixture } from '../conformance/fixture';
import { RabbitAdmin, withRabbitStopped } from './rabbit-admin';

/** Each test gets a fresh in-process broker shared by the apps it starts. */
export function memoryFixture(): ConformanceFixture {
  let broker = new MemoryBroker();
  return {
    options: (overrides = {}) => ({ url: 'memory://', memoryBroker: broker, ...overrides }),
    get: async (queue) => {
      const message = broker.get(queue);
      return message && { body: message.body, properties: message.properties, persistent: true };
    },
    messageCount: async (queue) => broker.messageCount(queue),
    consumerCount: async (queue) => broker.consumerCount(queue),
    restartBroker: async (whileDown) => {
      const restart = broker.restart(1000);
      try {
        await whileDown();
      } finally {
        await restart;
      }
    },
    cleanup: async () => {
      broker.close();
      broker = new MemoryBroker();
    },
    close: async () => broker.close(),
  };
}

/** The RabbitMQ on loopback (`brokerUrl('amqp')`); restarts take the repo-wide restart lock. */
export function rabbitFixture(): ConformanceFixture {
  const url = brokerUrl('amqp');
  const admin = new RabbitAdmin(url);
  return {
    options: (overrides = {}) => ({ url, ...overrides }),
    get: async (queue) => {
      const message = await admin
        .withChannel((ch) => ch.get(queue, { noAck: true }))
        .catch(() => false as const);
      if (!message) return undefined;
      return {
        body: message.content,
        properties: message.properties,
        persistent: message.properties.deliveryMode === 2,
      };
    },
    messageCount: (queue) => admin.messageCount(queue),
    consumerCount: (queue) => admin.consumerCount(queue),
    restartBroker: (whileDown) => withRabbitStopped(whileDown),
    cleanup: (names) => admin.deleteQueues(names.flatMap((name) => [name, `${name}.dlq`])),
    close: () => admin.close(),
  };
}
