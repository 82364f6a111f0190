import { assertDuration, assertInteger } from '@databus/common';
import { assertKnownOptions } from '@databus/common/internal';
import { MemoryRetention } from './memory-log';

/** Options of the memory transport (`transportOptions` with `memory://name`). @publicApi */
export interface MemoryTransportOptions {
  /** History kept per dataset. */
  retention?: Partial<MemoryRetention>;
}

const KNOWN = ['retention'];

/** Validates `transportOptions` for the memory transport. */
export function resolveMemoryOptions(raw: Record<string, unknown>): { retention?: MemoryRetention } {
  assertKnownOptions(raw, KNOWN, 'transportOptions');
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
