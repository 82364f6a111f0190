import { describeDeliveryConformance } from './conformance/delivery.conformance';
import { describeQueueConformance } from './conformance/queue.conformance';
import { memoryFixture } from './helpers/fixtures';

describe('memory backend conformance', () => {
  describeQueueConformance(async () => memoryFixture());
  describeDeliveryConformance(async () => memoryFixture());
});
