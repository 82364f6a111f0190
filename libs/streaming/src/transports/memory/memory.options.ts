import { assertDuration, assertInteger, ConfigurationError } from '@databus/common';
import { MemoryRetention } from './memory-log';

/** Options of the memory transport (`transportOptions` with `memory://name`). @publicApi */
export interface MemoryTransportOptions {
  /** History kept per dataset. */
  retention?: Partial<MemoryRetention>;
}

const KNOWN = new Set(['retention']);

/** Validates `transportOptions` for the memory transport. */
export function resolveMemoryOptions(raw: Record<string, unknown>): { retention?: MemoryRetention } {
  for (const key of Object.keys(raw))
    if (!KNOWN.has(key))
      throw new ConfigurationError(`transportOptions.${key}`, 'a memory transport option (retention)');
  const retention = raw.retention as Partial<MemoryRetention> | undefined;
  if (retention === undefined) return {};
  return {
    retention: {
      maxAgeMs: assertDuration(
        retention.maxAgeMs ?? 7 * 24 * 3600_000,
        'transportOptions.retention.maxAgeMs',
        1,
        Number.MAX_SAFE_INTEGER,
      ),
      maxMessages: assertInteger(
        retention.maxMessages ?? 1_000_000,
        'transportOptions.retention.maxMessages',
        1,
      ),
    },
  };
}
