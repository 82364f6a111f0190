import { describeConformance } from '../conformance';

describe('memory transport conformance', () => {
  describeConformance({ name: 'memory', url: () => 'memory://conformance', deliveryTimeoutMs: 5_000 });
});
