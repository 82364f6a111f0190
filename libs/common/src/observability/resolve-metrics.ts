import { ConfigurationError } from '../errors';
import { DatabusMetrics, noopMetrics } from './metrics';

/**
 * The `metrics` option of a databus module: `noopMetrics` when absent, the value itself when it has the
 * three `DatabusMetrics` methods, else a `ConfigurationError` naming `option`.
 */
export function resolveMetrics(value: DatabusMetrics | undefined, option: string): DatabusMetrics {
  if (value === undefined) return noopMetrics;
  if (
    typeof value?.increment !== 'function' ||
    typeof value.observe !== 'function' ||
    typeof value.set !== 'function'
  )
    throw new ConfigurationError(
      option,
      'a DatabusMetrics ({ increment, observe, set }), e.g. createPrometheusMetrics()',
    );
  return value;
}
