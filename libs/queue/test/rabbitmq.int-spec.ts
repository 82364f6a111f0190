import { brokerUrl, describeWithBroker } from '@databus/testing';
import { describeQueueConformance } from './conformance/queue.conformance';
import { ConformanceFixture } from './conformance/fixture';
import { RabbitAdmin, withRabbitStopped } from './helpers/rabbit-admin';

function rabbitFixture(): ConformanceFixture {
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

describeWithBroker('amqp', 'rabbitmq backend conformance', () => {
  describeQueueConformance(async () => rabbitFixture());
});
