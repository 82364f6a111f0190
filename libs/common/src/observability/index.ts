export type { DatabusMetrics, DatabusCounter, DatabusHistogram, DatabusGauge, MetricLabels } from './metrics';
export { noopMetrics, createPrometheusMetrics } from './metrics';
export { resolveMetrics } from './resolve-metrics';
export type { MessagingSpanInfo } from './tracing';
export { injectTraceContext, withMessagingSpan, tracingAvailable, tracingActive } from './tracing';
export type { HealthEntry, HealthResult, HealthVerdict } from './health';
export { healthResult } from './health';
