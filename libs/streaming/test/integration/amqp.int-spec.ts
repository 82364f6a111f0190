import { describeWithBroker } from '@databus/testing';
import { describeConformance } from '../conformance';
import { amqpUrl, deleteStreamsCreatedSince, listStreams, restartRabbitMq } from './amqp-test-kit';

describeWithBroker('amqp', 'amqp transport conformance', () => {
  let before: Set<string>;
  beforeAll(async () => {
    before = await listStreams();
  });
  // The suite names its datasets itself: delete every stream (and group store) it created.
  afterAll(() => deleteStreamsCreatedSince(before));
  describeConformance({
    name: 'amqp',
    url: amqpUrl,
    options: { transportOptions: { lockPollMs: 200, retention: { maxAge: '1D' } } },
    restartBroker: () => restartRabbitMq(),
    deliveryTimeoutMs: 10_000,
  });
});
