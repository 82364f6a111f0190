import { ConfigurationError } from '../errors';

/** Exponential backoff with jitter. @publicApi */
export interface BackoffOptions {
  /** Delay before the first retry. @default 100 */
  initialMs?: number;
  /** Upper bound of any delay. @default 30_000 */
  maxMs?: number;
  /** Growth factor between attempts. @default 2 */
  factor?: number;
  /**
   * Share of each delay that is randomised (0 = none, 1 = "full jitter"), so that many clients that failed
   * together do not retry together. @default 0.2
   */
  jitter?: number;
}

/** Backoff options with every default applied. */
export type ResolvedBackoff = Required<BackoffOptions>;

export const DEFAULT_BACKOFF: ResolvedBackoff = Object.freeze({
  initialMs: 100,
  maxMs: 30_000,
  factor: 2,
  jitter: 0.2,
});

/**
 * Applies defaults and validates backoff options; `path` names the option in errors
 * (e.g. `retry.backoff`).
 */
export function resolveBackoff(options: BackoffOptions | undefined, path: string): ResolvedBackoff {
  const resolved = { ...DEFAULT_BACKOFF, ...stripUndefined(options ?? {}) };
  if (!Number.isFinite(resolved.initialMs) || resolved.initialMs < 0)
    throw new ConfigurationError(`${path}.initialMs`, 'a number of milliseconds >= 0', {
      received: String(resolved.initialMs),
    });
  if (!Number.isFinite(resolved.maxMs) || resolved.maxMs < resolved.initialMs)
    throw new ConfigurationError(
      `${path}.maxMs`,
      `a number of milliseconds >= initialMs (${resolved.initialMs})`,
      {
        received: String(resolved.maxMs),
      },
    );
  if (!Number.isFinite(resolved.factor) || resolved.factor < 1)
    throw new ConfigurationError(`${path}.factor`, 'a number >= 1', { received: String(resolved.factor) });
  if (!Number.isFinite(resolved.jitter) || resolved.jitter < 0 || resolved.jitter > 1)
    throw new ConfigurationError(`${path}.jitter`, 'a number between 0 and 1', {
      received: String(resolved.jitter),
    });
  return resolved;
}

/**
 * The delay before retry number `attempt` (1 = first retry):
 * `min(maxMs, initialMs * factor^(attempt-1))`, of which the `jitter` share is randomised downwards.
 */
export function backoffDelay(
  attempt: number,
  backoff: ResolvedBackoff,
  random: () => number = Math.random,
): number {
  const base = Math.min(
    backoff.maxMs,
    backoff.initialMs * Math.pow(backoff.factor, Math.max(0, attempt - 1)),
  );
  const jittered = base * (1 - backoff.jitter * random());
  return Math.max(0, Math.round(jittered));
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
