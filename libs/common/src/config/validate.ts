import { ConfigurationError } from '../errors';

/** Checks that `value` is an integer within `[min, max]`; `option` names it in the error. */
export function assertInteger(
  value: unknown,
  option: string,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    throw new ConfigurationError(option, describeRange('an integer', min, max), {
      received: describe(value),
    });
  return value;
}

/** Checks that `value` is a finite number of milliseconds within `[min, max]`. */
export function assertDuration(value: unknown, option: string, min = 0, max = 2_147_483_647): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max)
    throw new ConfigurationError(option, describeRange('a number of milliseconds', min, max), {
      received: describe(value),
    });
  return value;
}

/** Checks that `value` is a non-empty string. */
export function assertNonEmptyString(value: unknown, option: string): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw new ConfigurationError(option, 'a non-empty string', { received: describe(value) });
  return value;
}

/** Checks that `value` is one of `allowed`. */
export function assertOneOf<T extends string>(value: unknown, option: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !allowed.includes(value as T))
    throw new ConfigurationError(option, `one of ${allowed.map((a) => `"${a}"`).join(', ')}`, {
      received: describe(value),
    });
  return value as T;
}

/** A short, secret-free description of a received value for error messages. */
export function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string')
    return value.length > 40 ? `a string of ${value.length} characters` : JSON.stringify(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return `a ${typeof value}`;
}

function describeRange(kind: string, min: number, max: number): string {
  if (max >= Number.MAX_SAFE_INTEGER || max === 2_147_483_647) return `${kind} >= ${min}`;
  return `${kind} between ${min} and ${max}`;
}
