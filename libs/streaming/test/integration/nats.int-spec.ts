import { describeWithBroker } from '@databus/testing';
import { describeConformance } from '../conformance';
import {
  deleteTestStreams,
  natsGroupSettings,
  natsUrl,
  restartNatsServer,
  testStreamPrefix,
} from './nats-test-kit';

const streamPrefix = testStreamPrefix();

describeWithBroker('nats', 'nats transport conformance', () => {
  afterAll(() => deleteTestStreams(streamPrefix));
  describeConformance({
    name: 'nats',
    url: natsUrl,
    options: { transportOptions: { streamPrefix } },
    restartBroker: () => restartNatsServer(),
    channelSettings: natsGroupSettings,
    deliveryTimeoutMs: 10_000,
  });
});
