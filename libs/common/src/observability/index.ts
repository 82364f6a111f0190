export type { DatabusMetrics, DatabusCounter, DatabusHistogram, DatabusGauge, MetricLabels } from './metrics';
export { noopMetrics, createPrometheusMetrics } from './metrics';
export { resolveMetrics } from './resolve-metrics';
export type { MessagingSpanInfo } from './tracing';
export { injectTraceContext, withMessagingSpan, tracingAvailable, tracingActive } from './tracing';
export type { ConnectionHealthInput, HealthEntry, HealthResult, HealthVerdict } from './health';
export { connectionHealth, connectionVerdict, healthResult } from './health';
export { EventHub } from './event-hub';
