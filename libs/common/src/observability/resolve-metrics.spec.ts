import { ConfigurationError } from '../errors';
import { DatabusMetrics, noopMetrics } from './metrics';
import { resolveMetrics } from './resolve-metrics';

describe('resolveMetrics', () => {
  it('gives noopMetrics when the option is absent', () => {
    expect(resolveMetrics(undefined, 'X.metrics')).toBe(noopMetrics);
  });

  it('keeps a value with increment, observe and set', () => {
    const metrics: DatabusMetrics = { increment: jest.fn(), observe: jest.fn(), set: jest.fn() };
    expect(resolveMetrics(metrics, 'X.metrics')).toBe(metrics);
  });

  it('rejects anything else, naming the option', () => {
    for (const bad of [{}, { increment: () => undefined }, null, 'prometheus'])
      expect(() => resolveMetrics(bad as unknown as DatabusMetrics, 'TaskQueueModule.metrics')).toThrow(
        new ConfigurationError(
          'TaskQueueModule.metrics',
          'a DatabusMetrics ({ increment, observe, set }), e.g. createPrometheusMetrics()',
        ),
      );
  });
});
