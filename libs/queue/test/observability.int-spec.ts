import { describeWithBroker } from '@databus/testing';
import { describeObservabilityConformance } from './conformance/observability.conformance';
import { memoryFixture, rabbitFixture } from './helpers/fixtures';

describe('memory backend observability', () => {
  describeObservabilityConformance(async () => memoryFixture());
});

describeWithBroker('amqp', 'rabbitmq backend observability', () => {
  describeObservabilityConformance(async () => rabbitFixture());
});
