/** Labels of a metric sample. */
export type MetricLabels = Record<string, string | number | undefined>;

/**
 * The metrics every databus lib records. Names follow Prometheus conventions; the prom-client adapter
 * (`createPrometheusMetrics`) registers them, anything else can implement this interface.
 * @publicApi
 */
export interface DatabusMetrics {
  /** Adds `value` (default 1) to a counter. */
  increment(name: DatabusCounter, labels?: MetricLabels, value?: number): void;
  /** Records one observation of a histogram, in seconds for durations. */
  observe(name: DatabusHistogram, value: number, labels?: MetricLabels): void;
  /** Sets a gauge. */
  set(name: DatabusGauge, value: number, labels?: MetricLabels): void;
}

/** Counters, with the labels each carries. */
export type DatabusCounter =
  | 'databus_messages_consumed_total' // lib, dataset, group, outcome: ok | dead_lettered | abandoned
  | 'databus_messages_produced_total' // lib, dataset
  | 'databus_handler_retries_total' // lib, dataset, group
  | 'databus_messages_dead_lettered_total' // lib, dataset, group
  | 'databus_messages_redelivered_total' // lib, dataset, group
  | 'databus_reconnects_total' // lib, connection
  | 'databus_token_refreshes_total'; // source, outcome: ok | failed

/** Histograms. */
export type DatabusHistogram = 'databus_handler_duration_seconds'; // lib, dataset, group

/** Gauges. */
export type DatabusGauge = 'databus_consumer_lag' | 'databus_in_flight_messages'; // lib, dataset, group

/** Records nothing: the default when no metrics are configured. @publicApi */
export const noopMetrics: DatabusMetrics = Object.freeze({
  increment: () => undefined,
  observe: () => undefined,
  set: () => undefined,
});

const HELP: Record<DatabusCounter | DatabusHistogram | DatabusGauge, [string, string[]]> = {
  databus_messages_consumed_total: [
    'Messages whose handler finished, by outcome',
    ['lib', 'dataset', 'group', 'outcome'],
  ],
  databus_messages_produced_total: ['Messages produced and confirmed by the broker', ['lib', 'dataset']],
  databus_handler_retries_total: [
    'Handler attempts that failed and were retried',
    ['lib', 'dataset', 'group'],
  ],
  databus_messages_dead_lettered_total: [
    'Messages moved to a dead-letter destination',
    ['lib', 'dataset', 'group'],
  ],
  databus_messages_redelivered_total: ['Messages the broker delivered again', ['lib', 'dataset', 'group']],
  databus_reconnects_total: ['Reconnects and re-subscribes after temporary failures', ['lib', 'connection']],
  databus_token_refreshes_total: ['Token refreshes by outcome', ['source', 'outcome']],
  databus_handler_duration_seconds: ['Handler duration in seconds', ['lib', 'dataset', 'group']],
  databus_consumer_lag: [
    'Messages between the committed position and the end of the dataset',
    ['lib', 'dataset', 'group'],
  ],
  databus_in_flight_messages: ['Messages delivered and not yet finished', ['lib', 'dataset', 'group']],
};

interface PromClientLike {
  Counter: new (config: { name: string; help: string; labelNames: string[]; registers: unknown[] }) => {
    inc(labels: object, value?: number): void;
  };
  Histogram: new (config: {
    name: string;
    help: string;
    labelNames: string[];
    registers: unknown[];
    buckets?: number[];
  }) => { observe(labels: object, value: number): void };
  Gauge: new (config: { name: string; help: string; labelNames: string[]; registers: unknown[] }) => {
    set(labels: object, value: number): void;
  };
  register: unknown;
}

/**
 * Metrics recorded with prom-client (an optional peer dependency). Metrics are registered in `registry`
 * (default: prom-client's global registry) once per registry, so several modules can share them.
 * @publicApi
 */
export function createPrometheusMetrics(registry?: unknown): DatabusMetrics {
  let prom: PromClientLike;
  try {
    prom = require('prom-client') as PromClientLike;
  } catch (error) {
    throw new Error(
      'createPrometheusMetrics needs the optional peer dependency "prom-client" (npm install prom-client).',
      { cause: error },
    );
  }
  const target = registry ?? prom.register;
  const cache = registryCache.get(target as object) ?? new Map<string, unknown>();
  registryCache.set(target as object, cache);
  const metric = <T>(name: string, build: () => T): T => {
    if (!cache.has(name)) cache.set(name, build());
    return cache.get(name) as T;
  };
  const config = (name: keyof typeof HELP) => ({
    name,
    help: HELP[name][0],
    labelNames: HELP[name][1],
    registers: [target],
  });
  const clean = (labels: MetricLabels = {}) =>
    Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, v === undefined ? '' : String(v)]));
  return {
    increment: (name, labels, value = 1) =>
      metric(name, () => new prom.Counter(config(name))).inc(clean(labels), value),
    observe: (name, value, labels) =>
      metric(
        name,
        () =>
          new prom.Histogram({ ...config(name), buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30] }),
      ).observe(clean(labels), value),
    set: (name, value, labels) => metric(name, () => new prom.Gauge(config(name))).set(clean(labels), value),
  };
}

const registryCache = new WeakMap<object, Map<string, unknown>>();
