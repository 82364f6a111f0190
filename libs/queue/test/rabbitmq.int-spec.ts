import { describeWithBroker } from '@databus/testing';
import { describeQueueConformance } from './conformance/queue.conformance';
import { rabbitFixture } from './helpers/fixtures';

describeWithBroker('amqp', 'rabbitmq backend conformance', () => {
  describeQueueConformance(async () => rabbitFixture());
});
