import { Global, Module } from '@nestjs/common';
import { createPrometheusMetrics } from '@databus/common';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { DEMO_METRICS, DEMO_METRICS_REGISTRY } from './ops.tokens';

/**
 * One prom-client registry per application (several apps in one test process never share counters), with
 * Node's default metrics and the databus metrics that streaming, the task queue and the token source record.
 */
@Global()
@Module({
  providers: [
    {
      provide: DEMO_METRICS_REGISTRY,
      useFactory: () => {
        const registry = new Registry();
        collectDefaultMetrics({ register: registry });
        return registry;
      },
    },
    {
      provide: DEMO_METRICS,
      inject: [DEMO_METRICS_REGISTRY],
      useFactory: (registry: Registry) => createPrometheusMetrics(registry),
    },
  ],
  exports: [DEMO_METRICS, DEMO_METRICS_REGISTRY],
})
export class MetricsModule {}
