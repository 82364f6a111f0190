import { describeWithBroker } from '@databus/testing';
import { describeDeliveryConformance } from './conformance/delivery.conformance';
import { describeQueueConformance } from './conformance/queue.conformance';
import { rabbitFixture } from './helpers/fixtures';

describeWithBroker('amqp', 'rabbitmq backend conformance', () => {
  describeQueueConformance(async () => rabbitFixture());
  describeDeliveryConformance(async () => rabbitFixture());
});
