import { MemoryBroker } from '@databus/queue';
import { describeQueueConformance } from './conformance/queue.conformance';
import { ConformanceFixture } from './conformance/fixture';

/** Each test gets a fresh in-process broker shared by the apps it starts. */
function memoryFixture(): ConformanceFixture {
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

describe('memory backend conformance', () => {
  describeQueueConformance(async () => memoryFixture());
});
