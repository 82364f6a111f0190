/** The demo's `DatabusMetrics` (one prom-client registry per application), shared by every databus module. */
export const DEMO_METRICS = Symbol('demo:metrics');
/** The prom-client `Registry` behind `DEMO_METRICS`, read by `GET /metrics`. */
export const DEMO_METRICS_REGISTRY = Symbol('demo:metrics-registry');
